"""``POST /v1/keywords/intent``: search intent of up to 1,000 keyword phrases.

Rules, cue lists and accuracy: docs/research.md. Classification is word matching
(microseconds a phrase), so it runs on the event loop without the model executor.
"""

import time
from functools import lru_cache
from typing import Any

from fastapi import APIRouter

from okf.research.intent import IntentClassifier
from okf.service.api.errors import ERRORS
from okf.service.dependencies import API_KEY
from okf.service.schemas import IntentRequest, IntentResponse

router = APIRouter(tags=["research"], dependencies=API_KEY, responses=ERRORS)


@lru_cache(maxsize=64)
def _classifier(brands: tuple[str, ...], language: str) -> IntentClassifier:
    return IntentClassifier(brands, None if language == "auto" else language)


@router.post(
    "/v1/keywords/intent",
    response_model=IntentResponse,
    summary="Search intent, modifiers and funnel stage of keyword phrases",
)
async def intent(body: IntentRequest) -> dict[str, Any]:
    start = time.perf_counter()
    classifier = _classifier(tuple(sorted(set(body.brands))), body.language)
    results = [r.as_dict() for r in classifier.classify_many(body.phrases)]
    return {"results": results, "took_ms": round((time.perf_counter() - start) * 1000, 3)}
