"""``GET /v1/models``: the models, their languages, the default and availability."""

from typing import Any

from fastapi import APIRouter

from okf.service.api.errors import ERRORS
from okf.service.dependencies import API_KEY, ExtractorDep, LoaderDep
from okf.service.schemas import ModelInfo, ModelsResponse

router = APIRouter(tags=["models"], dependencies=API_KEY)


@router.get(
    "/v1/models",
    response_model=ModelsResponse,
    responses={401: ERRORS[401], 429: ERRORS[429]},
    summary="The models, their languages, the default and availability",
)
async def list_models(extractor: ExtractorDep, loader: LoaderDep) -> dict[str, Any]:
    default = extractor.default_model
    infos = []
    for m in extractor.registry:
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
