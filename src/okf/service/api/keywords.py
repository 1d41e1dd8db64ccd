"""``POST /v1/keywords/extract`` and ``/v1/keywords/extract/batch``.

(No ``from __future__ import annotations``: FastAPI reads the ``Annotated`` dependency
types of the handlers at import time.)
"""

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from okf.service.api.errors import ERRORS
from okf.service.dependencies import (
    API_KEY,
    ExecutorDep,
    ExtractorDep,
    batch_request,
    extract_request,
    run_extraction,
)
from okf.service.schemas import BatchRequest, BatchResponse, ExtractRequest, ExtractResponse

router = APIRouter(tags=["keywords"], dependencies=API_KEY, responses=ERRORS)


def _took_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


@router.post(
    "/v1/keywords/extract",
    response_model=ExtractResponse,
    summary="Extract the keywords of one text",
)
async def extract(
    body: Annotated[ExtractRequest, Depends(extract_request)],
    extractor: ExtractorDep,
    executor: ExecutorDep,
) -> dict[str, Any]:
    start = time.perf_counter()
    results = await run_extraction(extractor, executor, body.inputs(), body.options(), ["text"])
    return {**results[0].as_dict(), "took_ms": _took_ms(start)}


@router.post(
    "/v1/keywords/extract/batch",
    response_model=BatchResponse,
    summary="Extract the keywords of several texts, in input order",
)
async def extract_batch(
    body: Annotated[BatchRequest, Depends(batch_request)],
    extractor: ExtractorDep,
    executor: ExecutorDep,
) -> dict[str, Any]:
    start = time.perf_counter()
    fields = [f"documents[{i}].text" for i in range(len(body.documents))]
    results = await run_extraction(extractor, executor, body.inputs(), body.options(), fields)
    return {"results": [r.as_dict() for r in results], "took_ms": _took_ms(start)}
