"""One ASGI middleware that feeds metrics, logs and traces for every HTTP request.

It is deliberately lean (one span, one log line, two metric updates, no per-request
allocation beyond those): the usual stack of three instrumentations costs ten times as
much per request (``okf bench-overhead`` measures both). It must be the outermost
middleware so that it sees every answer, including the 500 of a handler that raised.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection
from typing import Any

import orjson
from opentelemetry import context as otel_context
from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind

from okf.monitoring.context import client_var, request_id_var, trace_ids_var, user_var
from okf.monitoring.logging import log_error, log_request
from okf.monitoring.metrics import KNOWN_METHODS, OTHER_METHOD, UNMATCHED_ENDPOINT, ServiceMetrics
from okf.monitoring.spans import LeanSpans
from okf.problem_details import MEDIA_TYPE, problem_body

ASGIApp = Callable[..., Any]
_MAX_REQUEST_ID = 128
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's path template, or one fixed value for unmatched paths."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ENDPOINT


def accepted_request_id(raw: bytes | None) -> str:
    """The caller's ``X-Request-ID`` when it is sane, else a fresh unguessable one."""
    if raw:
        candidate = raw.decode("latin-1")
        if len(candidate) <= _MAX_REQUEST_ID and set(candidate) <= _ID_CHARS:
            return candidate
    return os.urandom(16).hex()  # what secrets.token_hex(16) does, one call shorter


class ClientAddress:
    """The caller's address; ``X-Forwarded-For`` is believed only from trusted proxies."""

    def __init__(self, trusted_proxies: Collection[str] = ()) -> None:
        self.trusted = frozenset(trusted_proxies)

    def __call__(self, scope: dict[str, Any], forwarded_for: bytes | None) -> str | None:
        peer = scope.get("client")
        address = peer[0] if peer else None
        if forwarded_for and address in self.trusted:
            hops = [h.strip() for h in forwarded_for.decode("latin-1").split(",") if h.strip()]
            # Walk from the nearest hop back; the first untrusted one is the client.
            for hop in reversed(hops):
                if hop not in self.trusted:
                    return hop
        return address


class MonitoringMiddleware:
    """Counts, times, logs and traces each request; never lets monitoring fail one."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: ServiceMetrics,
        spans: LeanSpans | None = None,
        untracked_paths: Collection[str] = (),
        client_address: ClientAddress | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.spans = spans
        self.untracked = frozenset(untracked_paths)
        self.client_address = client_address or ClientAddress()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        request_id = accepted_request_id(headers.get(b"x-request-id"))
        address = self.client_address(scope, headers.get(b"x-forwarded-for"))
        tokens = (request_id_var.set(request_id), user_var.set(None), client_var.set(address))
        method = scope.get("method", "GET")
        if method not in KNOWN_METHODS:  # bounded_method, inlined
            method = OTHER_METHOD
        span = None
        context_token = None
        trace_id = None
        if self.spans is not None:
            parent = None
            if b"traceparent" in headers:
                parent = extract({"traceparent": headers[b"traceparent"].decode("latin-1")})
            # The context the span is made current in: looked up once, used twice.
            base = parent if parent is not None else otel_context.get_current()
            span_context, parent_context = self.spans.start(method, SpanKind.SERVER, base)
            context_token = otel_context.attach(self.spans.as_current(span_context, base))
            # .trace_id and .span_id, by index (see okf.monitoring.spans)
            trace_id = format(span_context[0], "032x")
            trace_ids: tuple[str, str] | tuple[()] = (trace_id, format(span_context[1], "016x"))
            span = (span_context, parent_context, time.time_ns())
        else:
            trace_ids = ()
        ids_token = trace_ids_var.set(trace_ids)
        status = 500
        response_started = False
        error: BaseException | None = None
        id_header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error, status = exc, 500
            log_error(exc, {"path": scope.get("path"), "method": method})
            if not response_started:
                await _send_problem_500(send, request_id, id_header)
        finally:
            duration = time.perf_counter() - start
            self._record(scope, method, status, duration, error, span, address, trace_id)
            if context_token is not None:
                otel_context.detach(context_token)
            request_id_var.reset(tokens[0])
            user_var.reset(tokens[1])
            client_var.reset(tokens[2])
            trace_ids_var.reset(ids_token)

    def _record(
        self,
        scope: dict[str, Any],
        method: str,
        status: int,
        duration: float,
        error: BaseException | None,
        span: tuple[Any, Any, int] | None,
        address: str | None,
        trace_id: str | None,
    ) -> None:
        endpoint = route_template(scope)
        path = scope.get("path", "")
        if span is not None and self.spans is not None:
            span_context, parent_context, start_ns = span
            self.spans.finish(
                f"{method} {endpoint}",
                span_context,
                parent_context,
                SpanKind.SERVER,
                start_ns,
                time.time_ns(),
                {
                    "http.request.method": method,
                    "http.route": endpoint,
                    "url.path": path,
                    "http.response.status_code": status,
                },
                error,
                status >= 500,  # failed
            )
        if path in self.untracked:
            return
        self.metrics.track_api_request(endpoint, method, status, duration, trace_id)
        # Auth writes the caller into request.state (scope["state"]), which, unlike a
        # context variable set in a dependency's thread, is visible here afterwards.
        state = scope.get("state") or {}
        log_request(  # positional: a call's keywords are matched one by one
            method,
            path,
            address,
            state.get("user") or user_var.get(),
            duration,
            status,
            f"{type(error).__name__}: {error}" if error is not None else None,
            client_name=state.get("client_name"),
        )


async def _send_problem_500(send: Any, request_id: str, id_header: tuple[bytes, bytes]) -> None:
    body = orjson.dumps(
        problem_body(
            500,
            "The server failed to process the request; it has been logged.",
            request_id=request_id,
        )
    )
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                id_header,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
