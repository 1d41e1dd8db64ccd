"""The web pages: server-rendered (FastAPI + Jinja2), htmx for partial updates.

:func:`install` mounts the static files and the page routes on an app; the pages call
the same extraction path (and later the research jobs) as the JSON API.
"""

from __future__ import annotations

from fastapi import FastAPI

from okf.service.web import research, routes

#: Paths the API-key check covers besides /v1/ (the pages' form posts and fragments).
AUTH_PREFIX = "/web/"


def install(app: FastAPI) -> None:
    """Add the pages and their static files to ``app``."""
    app.include_router(routes.router)
    app.include_router(research.router)
