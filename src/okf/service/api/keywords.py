"""``POST /v1/keywords/extract`` and ``/v1/keywords/extract/batch``.

(No ``from __future__ import annotations``: FastAPI reads the ``Annotated`` dependency
types of the handlers at import time.)
"""

import time
from typing import Any

from fastapi import APIRouter

from okf.service.api.errors import ERRORS
from okf.service.dependencies import API_KEY, BatchBody, ExtractBody, RunnerDep
from okf.service.schemas import BatchResponse, ExtractResponse

router = APIRouter(tags=["keywords"], dependencies=API_KEY, responses=ERRORS)
ONE = "Extract the keywords of one text"
MANY = "Extract the keywords of several texts, in input order"


def _took_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


@router.post("/v1/keywords/extract", response_model=ExtractResponse, summary=ONE)
async def extract(body: ExtractBody, run: RunnerDep) -> dict[str, Any]:
    start = time.perf_counter()
    result = (await run(body.inputs(), body.options(), ["text"]))[0]
    return {**result.as_dict(), "took_ms": _took_ms(start)}


@router.post("/v1/keywords/extract/batch", response_model=BatchResponse, summary=MANY)
async def extract_batch(body: BatchBody, run: RunnerDep) -> dict[str, Any]:
    start = time.perf_counter()
    fields = [f"documents[{i}].text" for i in range(len(body.documents))]
    results = await run(body.inputs(), body.options(), fields)
    return {"results": [r.as_dict() for r in results], "took_ms": _took_ms(start)}
