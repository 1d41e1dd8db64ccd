"""Request and prediction spans built in one step, for the hot path.

A span made through ``Tracer.start_span`` costs about 120 Python calls (sampler, locks,
attribute validation on every ``set_attribute``, processor hooks), twice per request.
Here the sampling decision is still the provider's and the exported object is still the
SDK's :class:`~opentelemetry.sdk.trace.ReadableSpan`, but while the request runs only
its ids are current (a non-recording span in the context, which children and
``traceparent`` propagation need), and the finished span is assembled once, at the end,
with attributes that are already clean. Code that calls the tracer inside a request
still gets a proper child span.

Two private layouts of the pinned libraries are relied on, each held by
``tests/monitoring/test_lean_paths.py``: a ``SpanContext`` is the tuple (trace_id,
span_id, is_remote, trace_flags, trace_state, is_valid), built here without its
``__new__``'s Python call, and read by index rather than through its properties; a
context holds its span under ``opentelemetry.trace.propagation._SPAN_KEY``; and the
provider's span processors are the
``_span_processors`` of its ``_active_span_processor``, called one by one.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context, get_current
from opentelemetry.sdk.trace import (
    Event,
    ReadableSpan,
    SynchronousMultiSpanProcessor,
    TracerProvider,
)
from opentelemetry.sdk.trace.sampling import ParentBased, Sampler, StaticSampler
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation import _SPAN_KEY
from opentelemetry.trace.span import TraceFlags, TraceState

from okf.monitoring.tracing import TRACER_NAME

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_NOT_SAMPLED = TraceFlags(TraceFlags.DEFAULT)
_NO_TRACE_STATE = TraceState()  # what SpanContext puts in place of None
_TRACE_ID_MAX = 2**128 - 1
_SPAN_ID_MAX = 2**64 - 1
_new_tuple = tuple.__new__
# Status objects are immutable: one of each serves every span.
_UNSET = Status()
_ERROR = Status(StatusCode.ERROR)


class LeanSpans:
    """Starts spans as bare ids and emits them, finished, to the provider's processors."""

    def __init__(self, provider: TracerProvider) -> None:
        self._sampler = provider.sampler
        # The SDK's default samplers (ParentBased or static on/off) decide from the parent
        # alone: their decision table is read once here, not asked for twice per request.
        self._decisions = static_decisions(provider.sampler)
        self._ids = provider.id_generator
        self._resource = provider.resource
        self._processor = provider._active_span_processor
        self._each = type(self._processor) is SynchronousMultiSpanProcessor and hasattr(
            self._processor, "_span_processors"
        )
        self._scope = InstrumentationScope(TRACER_NAME)
        # The processors' span-end methods, rebuilt when the provider's tuple changes
        # (add_span_processor replaces it); okf's own queue skips a second sampled check.
        self._seen: tuple[Any, ...] | None = None
        self._ends: tuple[Any, ...] = ()

    def start(
        self, name: str, kind: SpanKind, parent: Context | None = None
    ) -> tuple[SpanContext, SpanContext | None]:
        """The new span's context (sampled or not) and its parent's, if any.

        ``parent`` is the context the parent span is found in (an extracted
        ``traceparent``, or the current context when the caller already holds it: one
        lookup saved); None means the current context, as for ``Tracer.start_span``.
        """
        # trace.get_current_span(parent), without its two calls
        span = (parent if parent is not None else get_current()).get(_SPAN_KEY)
        parent_context: SpanContext | None = None
        if span is not None and (type(span) is NonRecordingSpan or isinstance(span, Span)):
            parent_context = span.get_span_context()
            if not parent_context[5]:  # .is_valid
                parent_context = None
        # Fields by index: (trace_id, span_id, is_remote, trace_flags, trace_state, is_valid)
        trace_id = parent_context[0] if parent_context else self._ids.generate_trace_id()
        table = self._decisions
        if table is not None:
            if parent_context is None:
                sampled, trace_state = table[0], None
            else:  # the delegate for a remote or local, sampled or unsampled parent
                parent_sampled = parent_context[3] & _SAMPLED
                if parent_context[2]:
                    sampled = table[1] if parent_sampled else table[2]
                else:
                    sampled = table[3] if parent_sampled else table[4]
                trace_state = parent_context[4]
        else:
            decision = self._sampler.should_sample(parent, trace_id, name, kind)
            sampled, trace_state = decision.decision.is_sampled(), decision.trace_state
        span_id = self._ids.generate_span_id()
        # SpanContext(trace_id, span_id, False, flags, trace_state), without the call.
        context = _new_tuple(
            SpanContext,
            (
                trace_id,
                span_id,
                False,
                _SAMPLED if sampled else _NOT_SAMPLED,
                _NO_TRACE_STATE if trace_state is None else trace_state,
                0 < trace_id <= _TRACE_ID_MAX and 0 < span_id <= _SPAN_ID_MAX,
            ),
        )
        return context, parent_context

    @staticmethod
    def as_current(context: SpanContext, parent: Context | None = None) -> Context:
        """An OpenTelemetry context in which ``context`` is the current span."""
        return trace.set_span_in_context(NonRecordingSpan(context), parent)

    def finish(
        self,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        kind: SpanKind,
        start_ns: int,
        end_ns: int,
        attributes: Mapping[str, Any],
        error: BaseException | None = None,
        failed: bool = False,
    ) -> None:
        """Hand the finished span to the exporters (nothing at all when not sampled)."""
        if not context[3] & _SAMPLED:  # context.trace_flags.sampled
            return
        events: tuple[Event, ...] = ()
        if error is not None:
            events = (exception_event(error, end_ns),)
        # Positional: keyword matching of a 13-parameter __init__ costs more than the rest.
        span = ReadableSpan(
            name,
            context,
            parent,
            self._resource,
            attributes,
            events,
            (),  # links
            kind,
            None,  # instrumentation_info (deprecated)
            _ERROR if failed or error is not None else _UNSET,
            start_ns,
            end_ns,
            self._scope,
        )
        if not self._each:
            self._processor.on_end(span)
            return
        processors = self._processor._span_processors
        if processors is not self._seen:
            self._seen = processors
            self._ends = tuple(getattr(p, "on_sampled_end", p.on_end) for p in processors)
        for end in self._ends:
            end(span)


def static_decisions(sampler: Sampler) -> tuple[bool, ...] | None:
    """Whether a span is sampled, for (no parent, remote sampled parent, remote unsampled,
    local sampled, local unsampled), when ``sampler`` is one of the SDK's parent-only
    samplers (``ALWAYS_ON``, ``ALWAYS_OFF``, ``ParentBased`` over them); else None, and
    the sampler is asked for every span."""
    if type(sampler) is StaticSampler:
        return (_static_sampled(sampler),) * 5
    if type(sampler) is not ParentBased:
        return None
    delegates = (
        sampler._root,
        sampler._remote_parent_sampled,
        sampler._remote_parent_not_sampled,
        sampler._local_parent_sampled,
        sampler._local_parent_not_sampled,
    )
    if not all(type(d) is StaticSampler for d in delegates):
        return None
    return tuple(_static_sampled(d) for d in delegates)  # type: ignore[arg-type]


def _static_sampled(sampler: StaticSampler) -> bool:
    return sampler._decision.is_sampled()


def exception_event(error: BaseException, timestamp: int) -> Event:
    """The semantic-convention ``exception`` event the SDK's record_exception makes."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return Event(
        "exception",
        {
            "exception.type": name,
            "exception.message": str(error),
            "exception.stacktrace": "".join(traceback.format_exception(error)),
            "exception.escaped": "False",
        },
        timestamp,
    )
