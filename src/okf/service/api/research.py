"""Research as jobs: submit a corpus, follow the job, page through its tables, download
the report; ``DELETE`` cancels or deletes. A key sees only its own jobs (404 otherwise).

Handlers stay on the event loop only to check and answer: the body is read within the
upload budget, parsed in memory (:mod:`okf.service.uploads`), and every database call
runs in Starlette's thread pool (never the model executor, which extraction owns). The
research itself runs in the job workers (:mod:`okf.store.worker`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from okf.monitoring.jobs import current_traceparent
from okf.service.auth import ANONYMOUS, presented_key
from okf.service.dependencies import API_KEY
from okf.service.limits import read_capped
from okf.service.problems import ProblemError
from okf.service.research_schemas import (
    ERRORS,
    REQUEST_BODY,
    ResearchOptionsIn,
    Table,
    document_schema,
    status,
)
from okf.service.uploads import Budget, UploadError, parse_submission
from okf.store import JobView, NewJob
from okf.store.runtime import JobRuntime
from okf.store.tasks import research_options

__all__ = ["document_schema", "router"]

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The job id")]


router = APIRouter(tags=["research"], responses=ERRORS)


def runtime(request: Request) -> JobRuntime:
    return request.app.state.jobs  # type: ignore[no-any-return]


def owner_of(request: Request) -> str:
    """The key that calls (by name), or ``anonymous`` when the service runs open."""
    keys = request.app.state.keys
    if len(keys) == 0:
        return ANONYMOUS
    key = presented_key(request.scope)
    found = keys.lookup(key) if key else None
    if found is None:  # the access middleware let it through, so this does not happen
        raise ProblemError(401, "A valid API key is required")
    return f"key:{found.name}"


def refuse_cross_site(request: Request) -> None:
    """403 for a browser request sent by another site. A multipart form is a CORS
    "simple" request: without this, in open mode (no keys) any page a local user visits
    could submit or delete jobs through their browser."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if site == "cross-site" or (origin is not None and origin != own):
        raise ProblemError(
            403, "Cross-site requests may not submit or delete research jobs", slug="cross-site"
        )


async def _job(request: Request, job_id: str) -> JobView:
    job = await run_in_threadpool(runtime(request).store.get, job_id, owner_of(request))
    if job is None:
        raise ProblemError(404, f"No research job {job_id}", slug="job-not-found")
    return job


async def _done(request: Request, job_id: str) -> JobView:
    job = await _job(request, job_id)
    if job.state != "done":
        raise ProblemError(
            409,
            f"Job {job_id} is {job.state}; results exist once it is done",
            slug="job-not-done",
            state=job.state,
        )
    return job


@router.post(
    "/v1/research",
    status_code=202,
    dependencies=API_KEY,
    summary="Submit a research job (JSON documents, or files / a zip / JSON Lines)",
    description="A JSON body as documented here, or `multipart/form-data` with `files` "
    "(repeatable: .txt, .md, .html, .jsonl, .json, .csv/.tsv with a `text` column, or a "
    ".zip of those), `compare` (the same, competitor corpus), `metrics` (a Search Console "
    "or Keyword Planner export) and `options` (a JSON object). The form is not in this "
    "schema because its rules are about file contents; see docs/api.md.",
    openapi_extra={"requestBody": REQUEST_BODY},
    responses={202: {"description": "Accepted; follow `Location`"}},
)
async def submit(request: Request) -> JSONResponse:
    refuse_cross_site(request)
    settings = request.app.state.settings
    jobs = runtime(request)
    owner = owner_of(request)
    body = await read_capped(request, settings.research_max_bytes, "Upload")
    budget = Budget(settings.research_max_bytes, settings.research_max_documents)
    try:
        upload = parse_submission(request.headers.get("content-type"), body, budget)
        options = ResearchOptionsIn.model_validate(upload.options)
    except UploadError as exc:
        raise ProblemError(exc.status, str(exc), slug="invalid-upload") from None
    except ValidationError as exc:
        errors = [
            {"field": "options." + ".".join(map(str, e["loc"])), "message": e["msg"]}
            for e in exc.errors()
        ]
        shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
        raise ProblemError(
            422, f"Invalid options: {shown}", slug="invalid-option", errors=errors
        ) from None
    _check_model(request, options.model)
    try:
        research_options(options.model_dump(exclude_unset=True))
    except ValueError as exc:  # what the job would fail on, refused now
        raise ProblemError(422, f"Invalid options: {exc}", slug="invalid-option") from None
    active = await run_in_threadpool(jobs.store.active_count, owner)
    if active >= settings.research_max_active_jobs:
        raise ProblemError(
            429,
            f"{active} research jobs of this key are queued or running "
            f"(limit {settings.research_max_active_jobs}); wait for one to end",
            headers={"Retry-After": "30"},
            slug="too-many-jobs",
        )
    new = NewJob(
        owner=owner,
        options=options.model_dump(exclude_unset=True),
        documents=upload.documents,
        compare=upload.compare,
        files={"metrics": upload.metrics} if upload.metrics else {},
        traceparent=current_traceparent(),
    )
    job = await run_in_threadpool(jobs.submit, new)
    return JSONResponse(
        status(job), status_code=202, headers={"Location": f"/v1/research/{job.id}"}
    )


def _check_model(request: Request, name: str | None) -> None:
    if name is None:
        return
    registry = request.app.state.extractor.registry
    known = list(registry.names())
    if name not in known:
        raise ProblemError(
            422,
            f"Unknown model {name!r}; valid values: {', '.join(known)}",
            slug="unknown-model",
            field="options.model",
            valid=known,
        )


@router.get("/v1/research", dependencies=API_KEY, summary="This key's jobs, newest first")
async def list_jobs(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    state: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
) -> dict[str, Any]:
    store = runtime(request).store
    total, jobs = await run_in_threadpool(
        lambda: store.list_jobs(owner_of(request), state=state, offset=offset, limit=limit)
    )
    nxt = offset + len(jobs)
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": [status(j) for j in jobs],
        "next": str(request.url.include_query_params(offset=nxt)) if nxt < total else None,
    }


@router.get(
    "/v1/research/{job_id}",
    dependencies=API_KEY,
    summary="A job's state and progress",
)
async def get_job(request: Request, job_id: JobId) -> dict[str, Any]:
    return status(await _job(request, job_id))


@router.get(
    "/v1/research/{job_id}/export.{fmt}",
    dependencies=API_KEY,
    summary="The report: export.xlsx, export.csv.zip or export.json",
)
async def export(
    request: Request, job_id: JobId, fmt: Annotated[Literal["xlsx", "csv.zip", "json"], Path()]
) -> Response:
    await _done(request, job_id)
    media_type, content = await run_in_threadpool(runtime(request).export, job_id, fmt)
    name = f"okf-research-{job_id}.{fmt}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/v1/research/{job_id}/{table}",
    dependencies=API_KEY,
    summary="One result table, paginated, sortable, filterable",
)
async def table_rows(
    request: Request,
    job_id: JobId,
    table: Table,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    sort: Annotated[str | None, Query(max_length=64, description="A column name")] = None,
    order: Literal["asc", "desc"] = "asc",
    intent: Annotated[str | None, Query(max_length=32)] = None,
    cluster: int | None = None,
) -> dict[str, Any]:
    await _done(request, job_id)
    store = runtime(request).store
    if sort is not None:
        _, first = await run_in_threadpool(store.rows, job_id, table.value, limit=1)
        if first and sort not in first[0]:
            raise ProblemError(
                422,
                f"sort: no column {sort!r} in {table.value}; columns: {', '.join(first[0])}",
                slug="invalid-sort",
            )
    total, items = await run_in_threadpool(
        lambda: store.rows(
            job_id,
            table.value,
            intent=intent,
            cluster=cluster,
            sort=sort,
            descending=order == "desc",
            offset=offset,
            limit=limit,
        )
    )
    nxt = offset + len(items)
    return {
        "job": job_id,
        "table": table.value,
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": items,
        "next": (str(request.url.include_query_params(offset=nxt)) if nxt < total else None),
    }


@router.delete(
    "/v1/research/{job_id}",
    dependencies=API_KEY,
    summary="Delete a queued or finished job; ask a running one to stop",
    responses={
        202: {"description": "The running job is asked to stop (then `cancelled`)"},
        204: {"description": "The queued or finished job is deleted with its results"},
    },
)
async def delete_job(request: Request, job_id: JobId) -> Response:
    refuse_cross_site(request)
    owner = owner_of(request)
    store = runtime(request).store
    await _job(request, job_id)
    # Finished, or queued (nothing ran, nothing to keep): gone at once.
    if await run_in_threadpool(store.delete, job_id, owner, include_queued=True):
        return Response(status_code=204)
    view = await run_in_threadpool(store.cancel, job_id, owner)  # running: ask its worker
    if view is None:
        raise ProblemError(404, f"No research job {job_id}", slug="job-not-found")
    return JSONResponse(status(view), status_code=202)
