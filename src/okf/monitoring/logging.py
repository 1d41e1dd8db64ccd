"""The spec's structured logs (``api/monitoring/logging.py``): one JSON line per event.

Event names (``api_request``, ``error``, ``model_prediction``) and their fields are kept
exactly; they are a contract with the ELK side (index template, saved searches). Every
line also carries ECS base fields, so Elasticsearch needs no ingest pipeline:
``@timestamp`` (UTC, ISO 8601), ``log.level``, ``message`` (the event name),
``service.name``, ``ecs.version``, and ``request_id``, ``trace_id``, ``span_id`` when
known. What changed from the spec, and why:

- ``log_error`` nests the caller's context under ``context`` instead of spreading it into
  the event, where a key such as ``event`` or ``level`` would crash or overwrite fields;
- ``input_text`` follows a policy (off | hash | truncate | full), by default the first
  200 characters plus a sha256 of the whole, so logs neither leak whole documents nor
  grow with them;
- secrets never reach a line: values under key-like names are masked, whatever logs them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal, TextIO

import orjson
import structlog
from opentelemetry import trace

from okf.monitoring.context import client_var, request_id_var, trace_ids_var, user_var
from okf.monitoring.logsink import LineQueueWriter, stdout_writer

InputTextPolicy = Literal["off", "hash", "truncate", "full"]
ECS_VERSION = "8.11.0"
TRUNCATE_AT = 200
_SECRET_KEYS = frozenset({"authorization", "x-api-key", "api_key", "apikey", "password", "token"})
# ".000Z" to ".999Z": the end of a timestamp, looked up rather than formatted per line.
_MILLIS = tuple(f".{ms:03d}Z" for ms in range(1000))

logger = structlog.get_logger("okf")


class EcsJsonRenderer:
    """The whole processor chain in one step: context, ECS fields, masking, JSON.

    One function instead of six keeps a log line at a few microseconds, which matters on
    a path taken twice per request (see ``okf bench-overhead``).
    """

    def __init__(self, service_name: str) -> None:
        self.service_name = service_name
        self._second = -1
        self._second_text = ""

    def __call__(self, _: Any, method_name: str, event: MutableMapping[str, Any]) -> str:
        return self.render(method_name, event.pop("event", ""), event)

    def render(
        self,
        method_name: str,
        message: Any,
        event: MutableMapping[str, Any],
        option: int = orjson.OPT_NON_STR_KEYS,
    ) -> str:
        """The line of an event dict from which ``event`` (the message) was taken out."""
        now = time.time()
        second = int(now)
        if second != self._second:  # formatting a date is the slow part: once a second
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        line: dict[str, Any] = {
            "@timestamp": self._second_text + _MILLIS[int((now - second) * 1000)],
            "log.level": event.pop("level", method_name),
            "message": message,
        }
        request_id = request_id_var.get()
        if request_id is not None:
            line["request_id"] = request_id
        ids = trace_ids_var.get()
        if ids is None:  # outside a request: whatever span is current, if any
            span_context = trace.get_current_span().get_span_context()
            if span_context.is_valid:
                ids = (format(span_context.trace_id, "032x"), format(span_context.span_id, "016x"))
        if ids:
            line["trace_id"], line["span_id"] = ids
        if "exc_info" in event:
            event = structlog.processors.format_exc_info(None, method_name, event)
        if not event.keys().isdisjoint(_SECRET_KEYS):  # looks the few secret names up
            for key in event.keys() & _SECRET_KEYS:
                event[key] = "[REDACTED]"
        line.update(event)
        line["service.name"] = self.service_name
        line["ecs.version"] = ECS_VERSION
        return orjson.dumps(line, default=repr, option=option).decode()


_QUEUED_LINE = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
# Keywords a structlog method cannot take (its own parameters): such calls keep their
# TypeError, so they go the generic way.
_CALL_NAMES = frozenset({"self", "event", "method_name"})
_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_ecs_logger_classes: dict[int, type] = {}


def ecs_bound_logger(min_level: int) -> type:
    """structlog's filtering bound logger for ``min_level``, with a shorter hot path."""
    cls = _ecs_logger_classes.get(min_level)
    if cls is not None:
        return cls
    base: type[Any] = structlog.make_filtering_bound_logger(min_level)

    class EcsBoundLogger(base):  # type: ignore[valid-type, misc]
        """With only :class:`EcsJsonRenderer` and nothing bound, an event goes to it and out
        without the generic chain's copies (``emit``: nor keyword unpacking); queued lines
        get orjson's newline and the queue's ``put_line``, others the wrapped logger."""

        def __init__(self, logger: Any, processors: Any, context: Any) -> None:
            super().__init__(logger, processors, context)
            only = processors[0] if len(processors) == 1 else None
            self._renderer = only if isinstance(only, EcsJsonRenderer) else None
            out = getattr(logger, "_file", None) if type(logger) is structlog.WriteLogger else None
            self._queue_out = out if isinstance(out, LineQueueWriter) else None

        def emit(self, method_name: str, event: str, fields: dict[str, Any]) -> Any:
            """``getattr(self, method_name)(event, **fields)``; ``fields`` is consumed."""
            level = _LEVELS.get(method_name)
            renderer = self._renderer
            if (
                level is None
                or renderer is None
                or self._context
                or not fields.keys().isdisjoint(_CALL_NAMES)
            ):
                return getattr(self, method_name)(event, **fields)
            if level < min_level:  # what the filtering logger's no-op method does
                return None
            out = self._queue_out
            if out is not None:  # _write's queue branch, without its call
                return out.put_line(renderer.render(method_name, event, fields, _QUEUED_LINE))
            return self._write(renderer, method_name, event, fields)

        def _proxy_to_logger(
            self, method_name: str, event: str | None = None, **event_kw: Any
        ) -> Any:
            renderer = self._renderer
            if renderer is None or self._context:
                return super()._proxy_to_logger(method_name, event, **event_kw)
            message = event if event is not None else ""
            return self._write(renderer, method_name, message, event_kw)

        def _write(
            self, renderer: EcsJsonRenderer, method_name: str, message: Any, fields: Any
        ) -> Any:
            """Render one line and hand it to the log queue, or to the wrapped logger."""
            out = self._queue_out
            if out is not None:
                out.put_line(renderer.render(method_name, message, fields, _QUEUED_LINE))
                return None
            line = renderer.render(method_name, message, fields)
            return getattr(self._logger, method_name)(line)

    EcsBoundLogger.__name__ = EcsBoundLogger.__qualname__ = f"EcsBoundLogger{min_level}"
    _ecs_logger_classes[min_level] = EcsBoundLogger
    return EcsBoundLogger


def _log(method_name: str, event: str, fields: dict[str, Any]) -> None:
    """Log through ``emit`` when the logger has it (an okf-configured one), else as usual."""
    emit = getattr(logger, "emit", None)
    if emit is not None:
        emit(method_name, event, fields)
    else:
        getattr(logger, method_name)(event, **fields)


def configure_logging(
    *,
    level: str = "INFO",
    service_name: str = "okf",
    stream: TextIO | None = None,
) -> None:
    """Route structlog, stdlib and uvicorn logs through one JSON renderer to stdout."""
    renderer = EcsJsonRenderer(service_name)
    numeric = logging.getLevelName(level.upper())
    out = stream or stdout_writer()  # stdout through a bounded queue: never blocks a request
    structlog.configure(
        processors=[renderer],
        wrapper_class=ecs_bound_logger(numeric),
        logger_factory=structlog.WriteLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    # A concrete logger, built once per configuration: a lazy proxy would rebuild its
    # bound logger on every call, which costs more than rendering the line.
    global logger
    logger = structlog.get_logger("okf").bind()
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, structlog.stdlib.add_log_level],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace the handler a previous configuration installed, keep any other (a test
    # harness's capture, say): one JSON line per record, never two.
    handler._okf = True  # type: ignore[attr-defined]
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "_okf", False)] + [handler]
    root.setLevel(numeric)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    # The monitoring middleware logs every request as `api_request`: no second line.
    logging.getLogger("uvicorn.access").disabled = True


def input_text_fields(text: str, policy: InputTextPolicy) -> dict[str, Any]:
    """The ``input_text`` field (and its digest) under the configured policy."""
    if policy == "off":
        return {}
    fields: dict[str, Any] = {"input_length": len(text)}
    if policy != "full":
        fields["input_sha256"] = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    if policy == "truncate":
        fields["input_text"] = text[:TRUNCATE_AT]
    elif policy == "full":
        fields["input_text"] = text
    return fields


def log_request(
    method: str,
    path: str,
    client: str | None,
    user: str | None,
    duration: float,
    status: int,
    error: str | None = None,
    **extra: Any,
) -> None:
    """The spec's ``api_request`` event, one per HTTP request."""
    level = "error" if status >= 500 else "warning" if status >= 400 else "info"
    fields = {
        "method": method,
        "path": path,
        "client": client if client is not None else client_var.get(),
        "user": user if user is not None else user_var.get(),
        "duration": duration,
        "status": status,
        "error": error,
    }
    if extra:
        fields.update(extra)  # never a duplicate: these keywords cannot be in **extra
    emit = getattr(logger, "emit", None)  # _log, inlined: a call less per request
    if emit is not None:
        emit(level, "api_request", fields)
    else:
        getattr(logger, level)("api_request", **fields)


def log_error(error: BaseException, context: Mapping[str, Any] | None = None) -> None:
    """The spec's ``error`` event; the caller's context is nested, never spread."""
    logger.error(
        "error",
        error_type=type(error).__name__,
        error_message=str(error),
        context=dict(context or {}),
        exc_info=error,
    )


def log_model_prediction(
    model: str,
    input_text: str,
    duration: float,
    status: str,
    error: str | None = None,
    *,
    policy: InputTextPolicy = "truncate",
    **extra: Any,
) -> None:
    """The spec's ``model_prediction`` event, with ``input_text`` under the policy."""
    method_name = "info" if status == "ok" else "warning"
    fields = {"model": model, "duration": duration, "status": status, "error": error}
    text_fields = input_text_fields(input_text, policy)
    if extra and not text_fields.keys().isdisjoint(extra):  # a TypeError, as it always was
        getattr(logger, method_name)("model_prediction", **fields, **text_fields, **extra)
    fields.update(text_fields)
    fields.update(extra)
    _log(method_name, "model_prediction", fields)
