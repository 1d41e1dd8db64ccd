"""The research page: ``GET /research`` and the fragments htmx swaps into it.

The page submits the corpus to the JSON API (``POST /v1/research``, from the page's
script with the key header) and then follows the job through fragments rendered here
from the jobs store, for the caller's key only (another key's job is a 404):

- ``/web/research/{id}/progress`` — a progress bar that polls itself every second;
  once the job is done it answers the results (tabs, chart, downloads) instead, which
  ends the polling;
- ``/web/research/{id}/table/{table}`` — one table, sorted by a column (``sort``,
  ``order``) and filtered by text (``q``) and intent; sorting and filtering happen
  on the server, so a large table never reaches the browser whole;
- ``/web/research/{id}/clusters`` — the clusters as a server-drawn SVG bubble chart;
- ``/web/research/jobs`` — this key's past jobs.

(No ``from __future__ import annotations``: FastAPI reads the handlers' types.)
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from okf.service.api.research import Table, owner_of, runtime
from okf.service.problems import ProblemError
from okf.service.web.chart import cluster_bubbles
from okf.service.web.pages import page, templates
from okf.service.web.security import secure

router = APIRouter(include_in_schema=False)
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
#: Rows shown at once; the downloads carry every row.
SHOWN = 200
#: Rows read to filter by text (the store filters only by intent and cluster).
SCANNED = 20_000
TABLES = [t.value for t in Table]
PAST_JOBS = 20
INTENTS = ("informational", "commercial", "transactional", "navigational")


def _fragment(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    return secure(templates.TemplateResponse(request, template, context))


async def _job(request: Request, job_id: str) -> Any:
    job = await run_in_threadpool(runtime(request).store.get, job_id, owner_of(request))
    if job is None:
        raise ProblemError(404, f"No research job {job_id}", slug="job-not-found")
    return job


@router.get("/web/research/jobs", response_class=HTMLResponse)
async def past_jobs(request: Request) -> HTMLResponse:
    jobs, owner = runtime(request), owner_of(request)
    if not jobs.database_exists():  # no job was ever submitted: do not create the database
        found: list[Any] = []
    else:
        _, found = await run_in_threadpool(
            lambda: jobs.store.list_jobs(owner, limit=PAST_JOBS)
        )
    return _fragment(request, "_research_jobs.html", {"jobs": found})


@router.get("/research", response_class=HTMLResponse)
async def research_page(request: Request) -> HTMLResponse:
    models = [m.name for m in request.app.state.extractor.registry]
    return page(request, "research.html", {"models": models, "default_model": None})


@router.get("/web/research/{job_id}/progress", response_class=HTMLResponse)
async def progress(request: Request, job_id: JobId) -> HTMLResponse:
    job = await _job(request, job_id)
    if job.state == "done":
        response = _fragment(request, "_research_done.html", {"job": job, "tables": TABLES})
        response.headers["HX-Trigger"] = "okf-job-finished"  # the past jobs list reloads
        return response
    percent = round(100 * job.done / job.total) if job.total else 0
    return _fragment(request, "_research_progress.html", {"job": job, "percent": percent})


def _matches(row: dict[str, Any], needle: str) -> bool:
    return any(needle in str(v).casefold() for v in row.values() if v is not None)


@router.get("/web/research/{job_id}/table/{table}", response_class=HTMLResponse)
async def table(
    request: Request,
    job_id: JobId,
    table: Table,
    sort: Annotated[str | None, Query(max_length=64)] = None,
    order: Literal["asc", "desc"] = "asc",
    q: Annotated[str, Query(max_length=200)] = "",
    intent: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    job = await _job(request, job_id)
    if job.state != "done":
        raise ProblemError(409, f"Job {job_id} is {job.state}", slug="job-not-done")
    store = runtime(request).store
    _, first = await run_in_threadpool(store.rows, job_id, table.value, limit=1)
    columns = list(first[0]) if first else []
    sort = sort if sort in columns else None
    needle = q.strip().casefold()
    total, rows = await run_in_threadpool(
        lambda: store.rows(
            job_id,
            table.value,
            intent=intent if intent in INTENTS and "intent" in columns else None,
            sort=sort,
            descending=order == "desc",
            limit=SCANNED if needle else SHOWN,
        )
    )
    if needle:
        rows = [r for r in rows if _matches(r, needle)]
        total = len(rows)
    context = {
        "job": job,
        "table": table.value,
        "columns": columns,
        "rows": rows[:SHOWN],
        "total": total,
        "sort": sort,
        "order": order,
        "q": q,
        "intent": intent,
        "intents": INTENTS if "intent" in columns else (),
    }
    return _fragment(request, "_research_table.html", context)


@router.get("/web/research/{job_id}/clusters", response_class=HTMLResponse)
async def clusters(request: Request, job_id: JobId) -> HTMLResponse:
    await _job(request, job_id)
    _, rows = await run_in_threadpool(runtime(request).store.rows, job_id, "clusters")
    svg = Markup(cluster_bubbles(rows, title="Topic clusters by head term"))  # escaped inside
    return _fragment(request, "_research_chart.html", {"svg": svg})
