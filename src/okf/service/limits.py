"""Transport-level limits: request body checks and a per-key token-bucket rate limit.

:class:`BodyGuardMiddleware` sits in front of the routes so that every JSON route gets
the same answers before any parsing happens: 415 for a body that is not JSON, 413 for a
body over the limit (refused from ``Content-Length`` without reading, and for chunked
bodies as soon as the running total passes the limit, so a client cannot make the
server buffer more than ``max_bytes``), and 400 for bytes that are not UTF-8. The body
it has read is then replayed to the app, which therefore only ever sees bounded, valid
UTF-8 text.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection
from email.message import Message

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from okf.service.problems import ProblemError, problem_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def read_capped(request: Request, limit: int, what: str) -> bytes:
    """The body of a route that reads its own (uploads, web forms: not JSON, so the body
    guard passes them), refused with 413 naming ``what`` from ``Content-Length`` without
    reading, or as soon as the running total passes ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProblemError(413, f"{what} exceeds the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProblemError(413, f"{what} exceeds the limit of {limit} bytes")
    return bytes(body)


def json_content_type_problem(content_type: str | None) -> str | None:
    """Why ``content_type`` is not acceptable for a JSON body, or None when it is."""
    if not content_type:
        return "Missing Content-Type; send the body as application/json"
    msg = Message()
    msg["content-type"] = content_type
    subtype = msg.get_content_subtype()
    if msg.get_content_maintype() != "application" or not (
        subtype == "json" or subtype.endswith("+json")
    ):
        return f"Content-Type {content_type!r} is not supported; use application/json"
    charset = msg.get_param("charset")
    if isinstance(charset, str) and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        return f"charset {charset!r} is not supported; JSON bodies must be UTF-8"
    return None


class BodyGuardMiddleware:
    """Check the media type, size and encoding of bodies sent to the JSON routes.

    Only ``paths`` (the routes that take a JSON body) are guarded, so an unknown path or
    a wrong method still gets its 404/405 rather than a 415.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, paths: Collection[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _BODY_METHODS
            or scope["path"] not in self.paths
        ):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        reason = json_content_type_problem(_header(scope, b"content-type"))
        if reason is not None:
            await problem_response(415, reason, instance=path)(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await problem_response(400, "Invalid Content-Length", instance=path)(
                    scope, receive, send
                )
                return
            if int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away; nobody to answer
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            detail = f"Request body is not valid UTF-8 (byte {exc.start}: {exc.reason})"
            await problem_response(400, detail, instance=path, slug="invalid-utf8")(
                scope, receive, send
            )
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"Request body exceeds the limit of {self.max_bytes} bytes"
        response = problem_response(
            413, detail, instance=scope["path"], headers={"Connection": "close"}
        )
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the already-read body once, then defers to the client."""
    sent = False

    async def replay() -> ASGIMessage:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class TokenBucketLimiter:
    """One token bucket per key: ``burst`` tokens, refilled at ``rate`` per second.

    Only ever touched from the event loop thread, so it needs no lock. Limits are per
    process: with ``--workers N`` a key may get up to N times the rate (documented).
    """

    _MAX_BUCKETS = 10_000

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0.0 when allowed, else seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._prune(now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled, so anonymous clients cannot grow memory."""
        if len(self._buckets) <= self._MAX_BUCKETS:
            return
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}


def retry_after_header(wait_s: float) -> str:
    """Whole seconds, rounded up, never 0 (``Retry-After: 0`` invites a hot retry loop)."""
    return str(max(1, math.ceil(wait_s)))
