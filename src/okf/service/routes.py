"""The API's routes: extraction (single and batch), the model list, health and readiness.

Handlers stay on the event loop only to validate and answer; text preparation and model
work go to the :class:`~okf.service.executor.ModelExecutor` as one call per request, in
which :meth:`ModelRegistry.predict` times and reports the prediction.

(No ``from __future__ import annotations`` here: the request classes are built per app
inside :func:`build_router`, and FastAPI must see them as objects, not strings.)
"""

import time
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer

from okf.models.base import (
    ExtractOptions,
    Keyword,
    KeywordModel,
    ModelRegistry,
    ModelUnavailableError,
)
from okf.service.errors import ProblemError, problem_response
from okf.service.executor import ModelExecutor
from okf.service.schemas import (
    BatchResponse,
    ExtractResponse,
    Health,
    ModelInfo,
    ModelsResponse,
    Readiness,
    build_request_models,
)
from okf.service.warmup import ModelLoader
from okf.settings import Settings

# Documentation only: AccessMiddleware enforces keys before the body is read. Declaring
# the schemes lets /docs show the lock and send the key ("Authorize").
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <key>`")
_SECURED = [Security(_bearer), Security(_api_key)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        400: "Malformed JSON or invalid UTF-8",
        401: "Missing or invalid API key",
        413: "Body over the size limit",
        415: "Body is not application/json",
        422: "Invalid field, unknown model or language, text without keywords",
        429: "Rate limit exceeded (see Retry-After)",
        504: "Model work exceeded the time budget",
    }.items()
}


def _prepare_all(texts: Sequence[tuple[str, str]], fields: Sequence[str]) -> list[Any]:
    """Prepare each text, turning a text error into a 422 that names the field."""
    from okf.text import prepare
    from okf.text.errors import InvalidTextError

    docs = []
    for (text, language), field in zip(texts, fields, strict=True):
        try:
            docs.append(prepare(text, language))
        except InvalidTextError as exc:
            raise ProblemError(
                422,
                f"{field}: {exc}",
                slug="invalid-text",
                errors=[{"field": field, "message": str(exc), "type": type(exc).__name__}],
            ) from exc
    return docs


def _keywords(found: list[Keyword]) -> list[dict[str, object]]:
    return [k.as_dict() for k in found]


def build_router(settings: Settings) -> APIRouter:
    """All routes, with request bodies bounded by ``settings``."""
    ExtractRequest, BatchRequest = build_request_models(settings)
    router = APIRouter()

    def model_for(request: Request, name: str | None) -> KeywordModel:
        """The model asked for; 422 (via the error handlers) if unknown or unavailable,
        checked before ``load()``, which would fail on the missing extra."""
        registry: ModelRegistry = request.app.state.registry
        model = registry.get(name or request.app.state.default_model)
        reason = model.unavailable_reason()
        if reason is not None:
            raise ModelUnavailableError(reason)
        return model

    async def run_model(
        request: Request,
        model: KeywordModel,
        texts: list[tuple[str, str]],
        fields: list[str],
        options: ExtractOptions,
    ) -> tuple[list[Any], list[list[Keyword]]]:
        registry: ModelRegistry = request.app.state.registry
        loader: ModelLoader = request.app.state.loader
        executor: ModelExecutor = request.app.state.executor
        budget = settings.request_timeout_s

        def work() -> tuple[list[Any], list[list[Keyword]]]:
            docs = _prepare_all(texts, fields)
            loader.ensure_loaded(model)
            return docs, registry.predict(model.name, docs, options, budget_s=budget)

        return await executor.run(work, budget_s=budget)

    @router.post(
        "/v1/keywords/extract",
        response_model=ExtractResponse,
        dependencies=_SECURED,
        responses=_ERRORS,
        summary="Extract the keywords of one text",
        tags=["keywords"],
    )
    async def extract(body: ExtractRequest, request: Request) -> dict[str, Any]:  # type: ignore[valid-type]
        start = time.perf_counter()
        model = model_for(request, body.model)
        docs, results = await run_model(
            request, model, [(body.text, body.language)], ["text"], body.options()
        )
        return {
            "keywords": _keywords(results[0]),
            "language": docs[0].language,
            "model": {"name": model.name, "version": model.version},
            "took_ms": round((time.perf_counter() - start) * 1000, 3),
        }

    @router.post(
        "/v1/keywords/extract/batch",
        response_model=BatchResponse,
        dependencies=_SECURED,
        responses=_ERRORS,
        summary="Extract the keywords of several texts, in input order",
        tags=["keywords"],
    )
    async def extract_batch(body: BatchRequest, request: Request) -> dict[str, Any]:  # type: ignore[valid-type]
        start = time.perf_counter()
        model = model_for(request, body.model)
        texts = [(d.text, d.language or body.language) for d in body.documents]
        fields = [f"documents[{i}].text" for i in range(len(texts))]
        docs, results = await run_model(request, model, texts, fields, body.options())
        ref = {"name": model.name, "version": model.version}
        return {
            "results": [
                {"id": d.id, "keywords": _keywords(r), "language": doc.language, "model": ref}
                for d, doc, r in zip(body.documents, docs, results, strict=True)
            ],
            "took_ms": round((time.perf_counter() - start) * 1000, 3),
        }

    @router.get(
        "/v1/models",
        response_model=ModelsResponse,
        dependencies=_SECURED,
        responses={401: _ERRORS[401], 429: _ERRORS[429]},
        summary="The models, their languages, the default and availability",
        tags=["models"],
    )
    async def models(request: Request) -> dict[str, Any]:
        registry: ModelRegistry = request.app.state.registry
        loader: ModelLoader = request.app.state.loader
        default = request.app.state.default_model
        infos = []
        for m in registry:
            reason = m.unavailable_reason()
            infos.append(
                ModelInfo(
                    name=m.name,
                    version=m.version,
                    languages=list(m.languages),
                    default=m.name == default,
                    available=reason is None,
                    unavailable_reason=reason,
                    state=loader.states.get(m.name, "pending"),
                )
            )
        return {"default": default, "models": infos}

    @router.get("/healthz", response_model=Health, tags=["health"], summary="Process alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        response_model=Readiness,
        tags=["health"],
        summary="Models loaded and warmed",
        responses={503: {"description": "Still warming up, or the default model failed"}},
    )
    async def readyz(request: Request) -> Any:
        loader: ModelLoader = request.app.state.loader
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

    return router
