"""Who is calling: API-key authentication and the per-key rate limit, before any parsing.

This is an ASGI middleware rather than a FastAPI dependency because FastAPI reads and
parses the body *before* it solves dependencies: a dependency would let an
unauthenticated client make us buffer and parse a megabyte, and would answer it 422
instead of 401. Here the order is: key → rate limit → body checks → route.

Open mode (no keys configured) is allowed only when the service is bound to loopback,
or when the operator said ``--insecure``; :func:`check_open_mode` enforces it at start.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from okf.monitoring.context import client_var, user_var
from okf.service.keys import KeyStore
from okf.service.limits import TokenBucketLimiter, retry_after_header
from okf.service.problems import problem_response

ANONYMOUS = "anonymous"


class InsecureBindError(RuntimeError):
    """Refusing to serve without API keys on a non-loopback address."""


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_open_mode(host: str, n_keys: int, insecure: bool) -> str | None:
    """The start-up notice for open mode, None when keys are set; raise when unsafe."""
    if n_keys:
        return None
    if is_loopback(host):
        return (
            f"no API keys configured: serving OPEN (no authentication) on loopback {host} only;"
            " add a key with `okf keys add NAME` to require keys"
        )
    if insecure:
        return (
            f"no API keys configured and --insecure given: serving OPEN on {host}, reachable"
            " by anyone who can reach this address"
        )
    raise InsecureBindError(
        f"refusing to serve on non-loopback address {host} without API keys: add one with"
        " `okf keys add NAME` (or pass --insecure / OKF_INSECURE=1 to run open anyway)"
    )


@dataclass(frozen=True, slots=True)
class Caller:
    user: str
    client: str
    bucket: str


def presented_key(scope: Scope) -> str | None:
    """The key from ``Authorization: Bearer …`` or, failing that, ``X-API-Key``."""
    bearer = api_key = None
    for name, value in scope.get("headers", ()):
        lname = name.lower()
        if lname == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                bearer = token.strip()
        elif lname == b"x-api-key" and value.strip():
            api_key = value.decode("latin-1").strip()
    return bearer or api_key


class AccessMiddleware:
    """Authenticate requests under ``prefix`` (one or a tuple of path prefixes),
    rate-limit them, and record the caller.

    The caller's user and client names go into the monitoring context variables and the
    request state. They are deliberately not reset afterwards: each request runs in its
    own task (its own context), and the monitoring middleware outside this one reads them
    after the response to write the access log line.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: KeyStore,
        limiter: TokenBucketLimiter,
        open_when_no_keys: bool,
        prefix: str | tuple[str, ...] = "/v1/",
    ) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter
        self.open_when_no_keys = open_when_no_keys
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        caller = self._identify(scope)
        if caller is None:
            response = problem_response(
                401,
                "A valid API key is required: send `Authorization: Bearer <key>` "
                "or `X-API-Key: <key>`",
                instance=scope["path"],
                headers={"WWW-Authenticate": 'Bearer realm="okf"'},
            )
            await response(scope, receive, send)
            return
        user_var.set(caller.user)
        client_var.set(caller.client)
        state = scope.setdefault("state", {})
        state["user"] = caller.user
        state["client_name"] = caller.client
        wait = self.limiter.take(caller.bucket)
        if wait > 0:
            retry = retry_after_header(wait)
            response = problem_response(
                429,
                f"Rate limit of {self.limiter.rate:g} requests/s (burst "
                f"{self.limiter.burst:g}) exceeded; retry after {retry} s",
                instance=scope["path"],
                headers={"Retry-After": retry},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _identify(self, scope: Scope) -> Caller | None:
        key = presented_key(scope)
        if len(self.keys) == 0:
            # Keys are never optional once any exists; with none, open mode decides.
            if not self.open_when_no_keys:
                return None
            host = (scope.get("client") or ("unknown", 0))[0]
            return Caller(user=ANONYMOUS, client=ANONYMOUS, bucket=f"{ANONYMOUS}:{host}")
        if key is None:
            return None
        record = self.keys.lookup(key)
        if record is None:
            return None
        return Caller(user=record.user, client=record.client, bucket=f"key:{record.name}")
