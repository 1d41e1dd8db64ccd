"""What routes receive through ``Depends``: settings, the extractor, the executor, the
loader, the API-key schemes, and request bodies checked against this app's limits.

Everything lives on ``app.state`` (built by :func:`okf.service.app.create_app`); these
functions are the only readers, so a route says what it needs in its signature.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader, HTTPBearer

from okf.extraction import (
    ExtractionInput,
    ExtractionOptions,
    ExtractionResult,
    Extractor,
    InvalidInputError,
)
from okf.service.executor import ModelExecutor
from okf.service.problems import ProblemError
from okf.service.schemas import BatchRequest, ExtractOptionsIn, ExtractRequest
from okf.service.warmup import ModelLoader
from okf.settings import Settings

# Documentation only: AccessMiddleware enforces keys before the body is read. Declaring
# the schemes lets /docs show the lock and send the key ("Authorize").
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <key>`")
API_KEY = [Security(_bearer), Security(_api_key)]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_extractor(request: Request) -> Extractor:
    return request.app.state.extractor  # type: ignore[no-any-return]


def get_executor(request: Request) -> ModelExecutor:
    return request.app.state.executor  # type: ignore[no-any-return]


def get_loader(request: Request) -> ModelLoader:
    return request.app.state.loader  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ExtractorDep = Annotated[Extractor, Depends(get_extractor)]
ExecutorDep = Annotated[ModelExecutor, Depends(get_executor)]
LoaderDep = Annotated[ModelLoader, Depends(get_loader)]


# ----------------------------------------------------------------------------- limits


def _too_large(field: str, limit: int, value: Any) -> dict[str, Any]:
    """An error shaped like pydantic's own ``less_than_equal``, so it reads the same."""
    return {
        "type": "less_than_equal",
        "loc": ("body", field),
        "msg": f"Input should be less than or equal to {limit}",
        "input": value,
        "ctx": {"le": limit},
    }


def _check_limits(body: ExtractOptionsIn, settings: Settings) -> list[dict[str, Any]]:
    """Apply the settings' bounds; an option left out takes its default, cut to the bound."""
    errors = []
    for field, limit in (("top_n", settings.max_top_n), ("max_ngram", settings.max_ngram_limit)):
        value = getattr(body, field)
        if value <= limit:
            continue
        if field in body.model_fields_set:
            errors.append(_too_large(field, limit, value))
        else:
            setattr(body, field, limit)
    return errors


def extract_request(body: ExtractRequest, settings: SettingsDep) -> ExtractRequest:
    """The single-text body, within this app's limits (else 422 naming the option)."""
    errors = _check_limits(body, settings)
    if errors:
        raise RequestValidationError(errors)
    return body


def batch_request(body: BatchRequest, settings: SettingsDep) -> BatchRequest:
    """The batch body, within this app's limits (else 422 naming the option)."""
    errors = _check_limits(body, settings)
    n, limit = len(body.documents), settings.max_batch_documents
    if n > limit:
        errors.append(
            {
                "type": "too_long",
                "loc": ("body", "documents"),
                "msg": f"List should have at most {limit} items after validation, not {n}",
                "input": None,
                "ctx": {"field_type": "List", "max_length": limit, "actual_length": n},
            }
        )
    if errors:
        raise RequestValidationError(errors)
    return body


def document_limits(schema: dict[str, Any], settings: Settings) -> None:
    """Write this app's limits into the OpenAPI schema, so it states the real bounds."""
    components = schema.get("components", {}).get("schemas", {})
    for name in ("ExtractRequest", "BatchRequest"):
        props = components.get(name, {}).get("properties", {})
        for field, limit in (
            ("top_n", settings.max_top_n),
            ("max_ngram", settings.max_ngram_limit),
        ):
            if field in props:
                props[field]["maximum"] = limit
                props[field]["default"] = min(props[field].get("default", limit), limit)
        if "documents" in props:
            props["documents"]["maxItems"] = settings.max_batch_documents


# ----------------------------------------------------------------------------- running


async def run_extraction(
    extractor: Extractor,
    executor: ModelExecutor,
    inputs: list[ExtractionInput],
    options: ExtractionOptions,
    fields: list[str],
) -> list[ExtractionResult]:
    """The one extraction path, off the event loop within the extractor's budget; a
    document the path refuses becomes a 422 naming its field (``fields[i]``)."""
    try:
        return await executor.run(
            lambda: extractor.run(inputs, options), budget_s=extractor.budget_s
        )
    except InvalidInputError as exc:
        field = fields[exc.index]
        raise ProblemError(
            422,
            f"{field}: {exc}",
            slug="invalid-text",
            errors=[{"field": field, "message": str(exc), "type": type(exc.cause).__name__}],
        ) from exc


class Runner:
    """:func:`run_extraction` bound to this app's extractor and executor."""

    def __init__(self, extractor: Extractor, executor: ModelExecutor) -> None:
        self.extractor = extractor
        self.executor = executor

    async def __call__(
        self, inputs: list[ExtractionInput], options: ExtractionOptions, fields: list[str]
    ) -> list[ExtractionResult]:
        return await run_extraction(self.extractor, self.executor, inputs, options, fields)


def get_runner(extractor: ExtractorDep, executor: ExecutorDep) -> Runner:
    return Runner(extractor, executor)


RunnerDep = Annotated[Runner, Depends(get_runner)]


ExtractBody = Annotated[ExtractRequest, Depends(extract_request)]
BatchBody = Annotated[BatchRequest, Depends(batch_request)]
