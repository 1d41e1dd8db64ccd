"""Request and response bodies of the API.

Requests are validated strictly (``"5"`` is not a number, unknown members are refused,
so a typo such as ``topn`` is an error rather than a silently ignored option). The
request classes are built per app by :func:`build_request_models` because their bounds
(``top_n``, ``max_ngram``, batch size) come from settings; building them lets both the
validation and the OpenAPI document state the real limits.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from okf.models.base import ExtractOptions
from okf.settings import Settings

Language = Literal["auto", "pt", "en"]
_DEFAULTS = ExtractOptions()
_STRICT = ConfigDict(strict=True, extra="forbid")


def _check_text(value: str) -> str:
    """Refuse what would fail later and less clearly: blank text, lone surrogates.

    JSON escapes can smuggle unpaired surrogates (``"\\ud800"``) into a Python str; they
    cannot be encoded back to UTF-8, so they would break models and the response.
    """
    if not value.strip():
        raise ValueError("text is empty or only whitespace")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"text contains an unpaired surrogate at character {exc.start}") from exc
    return value


def _integral(value: object) -> object:
    """JSON has one number type: ``72.0`` is the integer 72 (JSON Schema says so too);
    ``72.5``, ``"72"`` and ``true`` stay invalid."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer option: strict, but integral JSON numbers written with a fraction count.
Integer = Annotated[int, BeforeValidator(_integral)]

Text = Annotated[
    str,
    Field(
        min_length=1,
        description="The text to extract keywords from (pt or en); it must hold at least "
        "one visible character (not only whitespace, control or format characters).",
    ),
    AfterValidator(_check_text),
]


class BaseOptions(BaseModel):
    """Shape shared by single and batch requests; the bounds are set per app."""

    model_config = _STRICT

    language: Language = Field("auto", description="`auto` detects pt or en.")
    model: str | None = Field(
        None, description="A name from `GET /v1/models`; default model if absent."
    )
    top_n: int = _DEFAULTS.top_n
    max_ngram: int = _DEFAULTS.max_ngram
    diversity: float | None = _DEFAULTS.diversity

    def options(self) -> ExtractOptions:
        return ExtractOptions(top_n=self.top_n, max_ngram=self.max_ngram, diversity=self.diversity)


class BatchDocument(BaseModel):
    model_config = _STRICT

    id: str | int | None = Field(None, description="Echoed back with the document's result.")
    text: Text
    language: Language | None = Field(None, description="Overrides the batch `language`.")


def build_request_models(settings: Settings) -> tuple[type[BaseOptions], type[BaseOptions]]:
    """The single and batch request classes, bounded by this app's settings."""
    max_top_n = settings.max_top_n
    ngram_limit = settings.max_ngram_limit

    class ExtractOptionsIn(BaseOptions):
        top_n: Integer = Field(
            min(_DEFAULTS.top_n, max_top_n), ge=1, le=max_top_n, description="Keywords to return."
        )
        max_ngram: Integer = Field(
            min(_DEFAULTS.max_ngram, ngram_limit),
            ge=1,
            le=ngram_limit,
            description="Longest keyphrase, in words.",
        )
        diversity: float | None = Field(
            _DEFAULTS.diversity,
            ge=0.0,
            le=1.0,
            allow_inf_nan=False,
            description="0 = pure relevance; towards 1 = fewer near-duplicate phrases; "
            "absent or null = the model's default (`omni`: 0.4 on texts it ranks with "
            "embeddings, English; the other models: 0).",
        )

    class ExtractRequest(ExtractOptionsIn):
        """One text."""

        text: Text

    class BatchRequest(ExtractOptionsIn):
        """Several texts with the same options; results come back in input order."""

        documents: list[BatchDocument] = Field(
            min_length=1, max_length=settings.max_batch_documents
        )

    return ExtractRequest, BatchRequest


# ----------------------------------------------------------------------------- responses


class KeywordOut(BaseModel):
    phrase: str
    score: float
    count: int = Field(description="Occurrences in the text.")
    offsets: list[tuple[int, int]] = Field(
        description="Every occurrence as [start, end]: `text[start:end]` in code points."
    )
    variants: list[str] = Field(description="Distinct surface forms merged into the phrase.")


class ModelRef(BaseModel):
    name: str
    version: str


class ExtractResponse(BaseModel):
    keywords: list[KeywordOut]
    language: str = Field(description="The language used: the one asked for, or detected.")
    model: ModelRef
    took_ms: float


class BatchItem(BaseModel):
    id: str | int | None = None
    keywords: list[KeywordOut]
    language: str
    model: ModelRef


class BatchResponse(BaseModel):
    results: list[BatchItem] = Field(description="One per document, in input order.")
    took_ms: float


class ModelInfo(BaseModel):
    name: str
    version: str
    languages: list[str]
    default: bool
    available: bool
    unavailable_reason: str | None = None
    state: str = Field(description="pending | ready | failed | unavailable (warm-up state).")


class ModelsResponse(BaseModel):
    default: str | None
    models: list[ModelInfo]


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    models: dict[str, str]
