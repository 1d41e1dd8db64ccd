"""Per-request context shared by the service and its monitoring.

The request id and the caller's identity live in context variables so that any log line
written while serving a request (in the event loop or in the worker thread that runs the
model, which copies the context) carries them without passing them around.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("okf_request_id", default=None)
user_var: ContextVar[str | None] = ContextVar("okf_user", default=None)
client_var: ContextVar[str | None] = ContextVar("okf_client", default=None)
# (trace_id, span_id) of the request's span as hex, computed once per request for the
# log lines; () when the request is not traced, None outside any request.
trace_ids_var: ContextVar[tuple[str, str] | tuple[()] | None] = ContextVar(
    "okf_trace_ids", default=None
)
