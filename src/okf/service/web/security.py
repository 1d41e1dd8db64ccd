"""What keeps the pages safe: strict headers, CSRF tokens, and bounded form bodies.

- Content-Security-Policy without ``unsafe-inline`` or ``unsafe-eval``: scripts and
  styles come only as files from this origin, so an injected ``<script>`` or
  ``onerror=`` in a user's text cannot run even if escaping were ever missed.
- CSRF: double-submit cookie. The page sets a random ``okf_csrf`` cookie (SameSite=Strict,
  HttpOnly) and writes the same value into its forms; a post is accepted only when the
  field equals the cookie. Another site can make a browser send the cookie, but cannot
  read it to fill in the field.
- Form bodies are read with a cap (the web forms are not JSON, so the API's body guard
  does not cover them).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request
from starlette.responses import Response

from okf.service.limits import read_capped
from okf.service.problems import ProblemError

CSRF_COOKIE = "okf_csrf"
CSRF_FIELD = "csrf_token"

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def secure(response: Response) -> Response:
    """Put the page headers on ``response``."""
    response.headers.update(HEADERS)
    return response


def csrf_token(request: Request) -> str:
    """The caller's token (from its cookie when it looks like one of ours), else a new one."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) == 43 and token.replace("-", "").replace("_", "").isalnum():
        return token
    return secrets.token_urlsafe(32)


def set_csrf_cookie(response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")


def check_csrf(request: Request, form: dict[str, str]) -> None:
    """403 unless the form's token equals the cookie's (compared in constant time)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise ProblemError(
            403,
            "The form's CSRF token is missing or does not match its cookie: reload the page",
            slug="csrf",
        )


async def read_form(request: Request, max_bytes: int) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body of at most ``max_bytes``, as a dict
    of first values; 415/413/400 problems otherwise."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise ProblemError(415, "Send the form as application/x-www-form-urlencoded")
    body = await read_capped(request, max_bytes, "Form body")
    try:
        fields = parse_qs(
            body.decode("ascii"), keep_blank_values=True, errors="strict", max_num_fields=64
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProblemError(400, "Form body is not valid URL-encoded UTF-8") from exc
    return {name: values[0] for name, values in fields.items()}
