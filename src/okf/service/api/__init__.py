"""The API's routers, one per area: keywords, intent (research), research jobs, models,
health.

Each module holds a module-level ``router``; :data:`ROUTERS` lists them in the order
the app includes them. Handlers only validate, call the one extraction path
(:mod:`okf.extraction`) through :mod:`okf.service.dependencies`, and shape the answer.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from okf.service.api import health, intent, keywords, models, research

ROUTERS: tuple[APIRouter, ...] = (
    keywords.router,
    intent.router,
    models.router,
    research.router,
    health.router,
)


def json_body_paths() -> set[str]:
    """Paths of the routes that take a JSON body (the body guard checks those only)."""
    return {
        route.path
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.body_field is not None
    }
