"""Request and prediction spans built in one step, for the hot path.

A span made through ``Tracer.start_span`` costs about 120 Python calls (sampler, locks,
attribute validation on every ``set_attribute``, processor hooks), twice per request.
Here the sampling decision is still the provider's and the exported object is still the
SDK's :class:`~opentelemetry.sdk.trace.ReadableSpan`, but while the request runs only
its ids are current (a non-recording span in the context, which children and
``traceparent`` propagation need), and the finished span is assembled once, at the end,
with attributes that are already clean. Code that calls the tracer inside a request
still gets a proper child span.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.sampling import ParentBased, Sampler, StaticSampler
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.trace.span import TraceFlags

from okf.monitoring.tracing import TRACER_NAME

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_NOT_SAMPLED = TraceFlags(TraceFlags.DEFAULT)
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
        self._scope = InstrumentationScope(TRACER_NAME)

    def start(
        self, name: str, kind: SpanKind, parent: Context | None = None
    ) -> tuple[SpanContext, SpanContext | None]:
        """The new span's context (sampled or not) and its parent's, if any.

        ``parent`` is the context the parent span is found in (an extracted
        ``traceparent``, or the current context when the caller already holds it: one
        lookup saved); None means the current context, as for ``Tracer.start_span``.
        """
        span = trace.get_current_span(parent)
        parent_context: SpanContext | None = span.get_span_context()
        if not parent_context.is_valid:  # type: ignore[union-attr]
            parent_context = None
        trace_id = parent_context.trace_id if parent_context else self._ids.generate_trace_id()
        table = self._decisions
        if table is not None:
            if parent_context is None:
                sampled, trace_state = table[0], None
            else:  # the delegate for a remote or local, sampled or unsampled parent
                parent_sampled = parent_context.trace_flags.sampled
                if parent_context.is_remote:
                    sampled = table[1] if parent_sampled else table[2]
                else:
                    sampled = table[3] if parent_sampled else table[4]
                trace_state = parent_context.trace_state
        else:
            decision = self._sampler.should_sample(parent, trace_id, name, kind)
            sampled, trace_state = decision.decision.is_sampled(), decision.trace_state
        context = SpanContext(
            trace_id,
            self._ids.generate_span_id(),
            is_remote=False,
            trace_flags=_SAMPLED if sampled else _NOT_SAMPLED,
            trace_state=trace_state,
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
        if not context.trace_flags.sampled:
            return
        events: tuple[Event, ...] = ()
        if error is not None:
            events = (exception_event(error, end_ns),)
        span = ReadableSpan(
            name=name,
            context=context,
            parent=parent,
            resource=self._resource,
            attributes=attributes,
            events=events,
            kind=kind,
            status=_ERROR if failed or error is not None else _UNSET,
            start_time=start_ns,
            end_time=end_ns,
            instrumentation_scope=self._scope,
        )
        self._processor.on_end(span)


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
