"""What the research routes read and write: the submission's documented schema, the
options model, the error responses, and a job's status document."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from okf.service.problems import problem_responses
from okf.store import JobView
from okf.store.exports import FORMATS
from okf.text import CHOICES


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


ERRORS = problem_responses(
    {
        400: "Malformed multipart body",
        401: "Missing or invalid API key",
        403: "A cross-site browser request (Origin of another site)",
        404: "No such job for this key",
        409: "The job is not done yet",
        413: "Too many documents, or the upload over its unpacked size limit",
        415: "Body neither application/json nor multipart/form-data",
        422: "Unusable upload, unknown option or model, bad parameter",
        429: "Too many active jobs for this key, or rate limit (see Retry-After)",
    }
)


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
