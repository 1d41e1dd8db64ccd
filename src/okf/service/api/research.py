"""Research as jobs: submit a corpus, follow the job, page through its tables, download
the report; ``DELETE`` cancels or deletes. A key sees only its own jobs (404 otherwise).

Handlers stay on the event loop only to check and answer: the body is read within the
upload budget, parsed in memory (:mod:`okf.service.uploads`), and every database call
runs in Starlette's thread pool (never the model executor, which extraction owns). The
research itself runs in the job workers (:mod:`okf.store.worker`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from okf.monitoring.jobs import current_traceparent
from okf.problem_details import MEDIA_TYPE
from okf.service.auth import ANONYMOUS, presented_key
from okf.service.dependencies import API_KEY
from okf.service.problems import ProblemError
from okf.service.uploads import Budget, UploadError, parse_submission
from okf.store import JobView, NewJob
from okf.store.exports import FORMATS
from okf.store.runtime import JobRuntime
from okf.store.tasks import research_options
from okf.text import CHOICES

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The job id")]


class Table(StrEnum):
    keywords = "keywords"
    clusters = "clusters"
    questions = "questions"
    gap = "gap"
    cannibalization = "cannibalization"
    pages = "pages"


class ResearchOptionsIn(BaseModel):
    """The options of ``okf research``; anything else is refused by name."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="Model name; default: the service's.")
    lang: Literal[tuple(CHOICES)] = Field("auto", description="Documents' language.")  # type: ignore[valid-type]
    top_n: int = Field(20, ge=1, le=100, description="Keywords kept per document.")
    brands: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50, description="Brand names (navigational intent)."
    )
    spread: float = Field(1.0, ge=0, le=10, description="Weight of page spread in the score.")
    opportunity_weights: (
        dict[Literal["volume", "impressions", "position", "competition", "relevance"], float] | None
    ) = Field(None, description="Weights of the opportunity score (see docs/research.md).")
    vectors: bool = Field(True, description="Use phrase vectors when clustering.")


_DOCUMENT = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string", "minLength": 1, "pattern": r"\S"},
        **{k: {"type": "string"} for k in ("id", "url", "title")},
        "lang": {"type": "string", "enum": list(CHOICES)},
    },
}
REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["documents"],
                "additionalProperties": False,
                "properties": {
                    "documents": {"type": "array", "items": _DOCUMENT, "minItems": 1},
                    "compare": {"type": "array", "items": _DOCUMENT},
                    "options": ResearchOptionsIn.model_json_schema(),
                    "metrics": {
                        "type": "object",
                        "required": ["content"],
                        "properties": {
                            "name": {"type": "string"},
                            "content": {"type": "string", "minLength": 1, "pattern": r"\S"},
                        },
                    },
                },
            }
        },
    },
}


def document_schema(schema: dict[str, Any], models: list[str], settings: Any) -> None:
    """This app's model names and document limit in the submission's inline schema, so
    that a schema-valid submission is an accepted one (called by the app's openapi)."""
    body = schema.get("paths", {}).get("/v1/research", {}).get("post", {}).get("requestBody")
    if not body:
        return
    props = body["content"]["application/json"]["schema"]["properties"]
    for choice in props["options"]["properties"]["model"].get("anyOf", ()):
        if choice.get("type") == "string":
            choice["enum"] = models
    for key in ("documents", "compare"):
        props[key]["maxItems"] = settings.research_max_documents // 2


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {MEDIA_TYPE: {}}}
    for code, text in {
        400: "Malformed multipart body",
        401: "Missing or invalid API key",
        404: "No such job for this key",
        409: "The job is not done yet",
        413: "Too many documents, or the upload over its unpacked size limit",
        415: "Body neither application/json nor multipart/form-data",
        422: "Unusable upload, unknown option or model, bad parameter",
        429: "Too many active jobs for this key, or rate limit (see Retry-After)",
    }.items()
}


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


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProblemError(413, f"Upload exceeds the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProblemError(413, f"Upload exceeds the limit of {limit} bytes")
    return bytes(body)


def _time(t: float | None) -> str | None:
    return datetime.fromtimestamp(t, UTC).isoformat() if t is not None else None


def status(job: JobView) -> dict[str, Any]:
    base = f"/v1/research/{job.id}"
    end = job.finished_at
    started = job.started_at
    out: dict[str, Any] = {
        "id": job.id,
        "state": job.state,
        "progress": {"done": job.done, "total": job.total, "stage": job.stage},
        "created_at": _time(job.created_at),
        "started_at": _time(started),
        "finished_at": _time(end),
        "timings": {
            "queued_s": round(
                (started or end or datetime.now(UTC).timestamp()) - job.created_at, 3
            ),
            "running_s": round((end or datetime.now(UTC).timestamp()) - started, 3)
            if started
            else None,
        },
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "error": job.error,
        "links": {"self": base},
    }
    if job.state == "done":
        out["links"].update({t.value: f"{base}/{t.value}" for t in Table})
        out["links"].update({f"export.{f}": f"{base}/export.{f}" for f in FORMATS})
    return out


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
    settings = request.app.state.settings
    jobs = runtime(request)
    owner = owner_of(request)
    body = await read_body(request, settings.research_max_bytes)
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
    offset: Annotated[int, Query(ge=0)] = 0,
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
    summary="Cancel a queued or running job; delete a finished one",
    responses={
        200: {"description": "The queued job is cancelled"},
        202: {"description": "The running job is asked to stop"},
        204: {"description": "The finished job is deleted"},
    },
)
async def delete_job(request: Request, job_id: JobId) -> Response:
    owner = owner_of(request)
    store = runtime(request).store
    job = await _job(request, job_id)
    if job.finished:
        if await run_in_threadpool(store.delete, job_id, owner):
            return Response(status_code=204)
        raise ProblemError(404, f"No research job {job_id}", slug="job-not-found")
    view = await run_in_threadpool(store.cancel, job_id, owner)
    if view is None:
        raise ProblemError(404, f"No research job {job_id}", slug="job-not-found")
    return JSONResponse(status(view), status_code=202 if view.state == "running" else 200)
