"""``GET /healthz`` (process alive) and ``GET /readyz`` (models loaded and warmed)."""

from typing import Any

from fastapi import APIRouter

from okf.service.dependencies import LoaderDep
from okf.service.problems import problem_response
from okf.service.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Process alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Models loaded and warmed",
    responses={503: {"description": "Still warming up, or the default model failed"}},
)
async def readyz(loader: LoaderDep) -> Any:
    if loader.ready:
        return {"status": "ready", "models": dict(loader.states)}
    status = "starting" if not loader.finished else "failed"
    return problem_response(
        503,
        f"Not ready: {status}",
        instance="/readyz",
        slug="not-ready",
        models=dict(loader.states),
    )
