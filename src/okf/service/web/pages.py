"""The templates and how a full page is answered (CSRF cookie, key mode, headers)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from okf.service.web.security import CSRF_FIELD, csrf_token, secure, set_csrf_cookie
from okf.service.web.vendor import vendored

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")  # autoescape on for .html
templates.env.globals["htmx_integrity"] = vendored()["htmx.min.js"].integrity
# Text inside an element (<pre>): only &, < and > need escaping. Quotes are left as they
# are, which keeps a large JSON payload (every quote would be 5 characters) small to parse.
templates.env.filters["element_text"] = lambda s: Markup(escape(str(s), quote=False))
templates.env.filters["datetime"] = lambda t: datetime.fromtimestamp(t, UTC).strftime(
    "%Y-%m-%d %H:%M UTC"
)


def page(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """A whole page: its CSRF token (cookie + form field), whether keys are needed."""
    token = csrf_token(request)
    keys_required = len(request.app.state.keys) > 0
    response = templates.TemplateResponse(
        request,
        template,
        {**context, "csrf_token": token, "csrf_field": CSRF_FIELD, "keys_required": keys_required},
    )
    set_csrf_cookie(response, token)
    return secure(response)
