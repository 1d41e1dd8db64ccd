"""Every error the service returns, as RFC 9457 problem details.

One shape for all of them (``type``, ``title``, ``status``, ``detail``, ``instance``,
plus ``request_id`` and problem-specific members such as ``errors`` or ``valid``), with
the ``application/problem+json`` media type, whether the error comes from a middleware
(401, 413, 415, 429), FastAPI's validation, our routes, or an unexpected exception. The
request id is read from the context variable the monitoring middleware sets; this module
never makes one up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from okf.models.base import ModelUnavailableError, UnknownModelError
from okf.monitoring.context import request_id_var
from okf.problem_details import MEDIA_TYPE, TITLES, problem_body
from okf.service.executor import BudgetExceededError

log = logging.getLogger("okf.service")


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.headers = headers
        self.extensions = extensions


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` of a router: each status described, answered as problem+json."""
    return {
        code: {"description": text, "content": {MEDIA_TYPE: {}}}
        for code, text in descriptions.items()
    }


def problem_response(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """A problem+json response; usable as an ASGI app from middlewares too."""
    body = problem_body(
        status,
        detail,
        slug=slug,
        instance=instance,
        request_id=request_id_var.get(),
        **extensions,
    )
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _loc(loc: Sequence[Any]) -> str:
    """``("body", "documents", 2, "text")`` → ``documents[2].text``: the field as sent."""
    parts = list(loc[1:] if loc and loc[0] == "body" else loc)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def _validation_problem(request: Request, exc: RequestValidationError) -> Response:
    errors = list(exc.errors())
    if errors and errors[0].get("type") == "json_invalid":
        err = errors[0]
        pos = err["loc"][-1] if err.get("loc") else None
        reason = (err.get("ctx") or {}).get("error", "invalid JSON")
        return problem_response(
            400,
            f"Malformed JSON at character {pos}: {reason}",
            instance=request.url.path,
            slug="malformed-json",
        )
    items = [
        {"field": _loc(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in errors
    ]
    shown = "; ".join(f"{i['field']}: {i['message']}" for i in items[:3])
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    return problem_response(
        422,
        f"Invalid request: {shown}{more}",
        instance=request.url.path,
        slug="validation-error",
        errors=items,
    )


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.detail,
        instance=request.url.path,
        slug=exc.slug,
        headers=exc.headers,
        **exc.extensions,
    )


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _validation_problem(request, exc)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
    headers = exc.headers
    if exc.status_code == 404:
        detail = f"No route {request.method} {request.url.path}; see /docs"
    elif exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (Starlette's own 405 names only the
    first route whose path matches, e.g. GET where GET and DELETE are served)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in request.app.router.routes:
        regex, allowed = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and allowed and regex.match(path):
            methods.update(allowed)
    return ", ".join(sorted(methods))


async def _on_unknown_model(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnknownModelError)
    return problem_response(
        422,
        f"Unknown model {exc.name!r}; valid values: {', '.join(exc.known)}",
        instance=request.url.path,
        slug="unknown-model",
        field="model",
        valid=list(exc.known),
    )


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    return problem_response(
        422, str(exc), instance=request.url.path, slug="model-unavailable", field="model"
    )


async def _on_timeout(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BudgetExceededError)
    return problem_response(
        504,
        f"The model did not finish within the time budget of {exc.budget_s:g} s; "
        "send a shorter text or fewer documents",
        instance=request.url.path,
        budget_s=exc.budget_s,
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # The message may hold internals (paths, input text): log it, never return it.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        500,
        "The server failed to handle this request; quote the request id when reporting.",
        instance=request.url.path,
    )


_HANDLERS: dict[type[BaseException], Any] = {
    ProblemError: _on_problem,
    RequestValidationError: _on_validation,
    StarletteHTTPException: _on_http,
    UnknownModelError: _on_unknown_model,
    ModelUnavailableError: _on_unavailable,
    BudgetExceededError: _on_timeout,
    Exception: _on_unexpected,
}


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception a request may raise to one problem document."""
    for exc_type, handler in _HANDLERS.items():
        app.add_exception_handler(exc_type, handler)
