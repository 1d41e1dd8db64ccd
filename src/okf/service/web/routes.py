"""The web pages: ``GET /`` (the extract page) and ``POST /web/extract`` (its results).

The page is rendered on the server; the form posts with htmx and the answer is an HTML
fragment (keyword table + the text with its occurrences marked) swapped into the page.
Errors are the API's problem documents; the page's script shows their ``detail``.
The ``/web/`` prefix is authenticated like ``/v1/`` (the page sends the key it keeps in
sessionStorage); the page itself and its static files are public.

(No ``from __future__ import annotations``: FastAPI reads the handlers' types.)
"""

import time
from functools import lru_cache
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from okf.extraction import DEFAULTS, ExtractionResult
from okf.research.intent import IntentClassifier
from okf.service.dependencies import ExecutorDep, ExtractorDep, SettingsDep, run_extraction
from okf.service.web.forms import LANGUAGES, content_types, extraction_request
from okf.service.web.highlight import block_lines, blocks, render
from okf.service.web.pages import STATIC_DIR, page, templates
from okf.service.web.security import check_csrf, read_form, secure

router = APIRouter(include_in_schema=False)

#: Form bodies are URL-encoded: accented text grows up to 6x; allow 4x the JSON limit.
FORM_GROWTH = 4
#: Blocks of the marked text sent as markup; the others are built by the page's script.
FIRST_BLOCKS = 4


@lru_cache(maxsize=4)
def _intents(language: str | None) -> IntentClassifier:
    return IntentClassifier(lang=language if language in ("pt", "en") else None)


_static = StaticFiles(directory=STATIC_DIR)


@router.get("/static/{path:path}")
async def static_file(path: str, request: Request) -> Response:
    """The pages' scripts, styles and vendored files. A route (not a mount), so metrics
    and traces label it with its template like any other route."""
    response = await _static.get_response(path, request.scope)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/", response_class=HTMLResponse)
async def extract_page(
    request: Request, extractor: ExtractorDep, settings: SettingsDep
) -> HTMLResponse:
    models = [
        {"name": m.name, "default": m.name == extractor.default_model}
        for m in extractor.registry
        if m.unavailable_reason() is None
    ]
    return page(
        request,
        "extract.html",
        {
            "models": models,
            "languages": LANGUAGES,
            "content_types": content_types(),
            "max_top_n": settings.max_top_n,
            "max_ngram": settings.max_ngram_limit,
            "defaults": DEFAULTS,
        },
    )


def result_rows(result: ExtractionResult) -> list[dict[str, Any]]:
    """The keywords with their intent, as the table and the downloads show them."""
    classifier = _intents(result.language)
    rows = []
    for rank, kw in enumerate(result.keywords, 1):
        intent = classifier.classify(kw.phrase)
        rows.append(
            {
                "rank": rank,
                **kw.as_dict(),
                "intent": intent.intent,
                "funnel": intent.funnel,
                "modifiers": list(intent.modifiers),
            }
        )
    return rows


@router.post("/web/extract", response_class=HTMLResponse)
async def extract_results(
    request: Request, extractor: ExtractorDep, executor: ExecutorDep, settings: SettingsDep
) -> HTMLResponse:
    start = time.perf_counter()
    form = await read_form(request, settings.max_body_bytes * FORM_GROWTH)
    check_csrf(request, form)
    item, options = extraction_request(form, settings)
    (result,) = await run_extraction(extractor, executor, [item], options, ["text"])
    # What the offsets refer to: the plain text the path made of Markdown or HTML.
    text = item.text if result.text is None else result.text
    rows = result_rows(result)
    pieces = blocks(text, [row["offsets"] for row in rows])
    data = {
        "language": result.language,
        "model": result.model.as_dict(),
        "content_type": item.content_type,
        "keywords": rows,
    }
    took_ms = round((time.perf_counter() - start) * 1000, 1)
    response = templates.TemplateResponse(
        request,
        "_results.html",
        {
            "rows": rows,
            # The first block comes marked up; the rest as data the page's script builds
            # a slice at a time, so a 1 MB text never blocks the page for long.
            "marked": render(text, pieces[:FIRST_BLOCKS]),
            "pending": block_lines(text, pieces[FIRST_BLOCKS:]),
            "data": data,
            "data_json": orjson.dumps(data).decode(),  # compact; escaped as text
            "took_ms": took_ms,
            "chars": len(text),
            "long": len(pieces) > 2 * FIRST_BLOCKS,  # lay out off-screen blocks lazily
        },
    )
    return secure(response)
