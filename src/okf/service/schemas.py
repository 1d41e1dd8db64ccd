"""Request and response bodies of the API, as module-level classes.

Requests are validated strictly (``"5"`` is not a number, unknown members are refused,
so a typo such as ``topn`` is an error rather than a silently ignored option). The
bounds that come from settings (``top_n``, ``max_ngram``, batch size) are checked per
app by :mod:`okf.service.dependencies`, which also writes them into the OpenAPI schema;
the defaults come from :data:`okf.extraction.DEFAULTS` and the text check from
:func:`okf.extraction.check_text`, so no rule is written twice.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from okf.extraction import DEFAULTS, ExtractionInput, ExtractionOptions, check_text

Language = Literal["auto", "pt", "en"]
_STRICT = ConfigDict(strict=True, extra="forbid")


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
    AfterValidator(check_text),
]


class ExtractOptionsIn(BaseModel):
    """Shape shared by single and batch requests."""

    model_config = _STRICT

    language: Language = Field("auto", description="`auto` detects pt or en.")
    model: str | None = Field(
        None, description="A name from `GET /v1/models`; default model if absent."
    )
    top_n: Integer = Field(DEFAULTS.top_n, ge=1, description="Keywords to return.")
    max_ngram: Integer = Field(DEFAULTS.max_ngram, ge=1, description="Longest keyphrase, in words.")
    diversity: float | None = Field(
        DEFAULTS.diversity,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="0 = pure relevance; towards 1 = fewer near-duplicate phrases; "
        "absent or null = the model's default (`omni`: 0.4 on texts it ranks with "
        "embeddings, English; the other models: 0).",
    )

    def options(self) -> ExtractionOptions:
        return ExtractionOptions(
            top_n=self.top_n,
            max_ngram=self.max_ngram,
            diversity=self.diversity,
            language=self.language,
            model=self.model,
        )


ContentType = Literal["text/plain", "text/markdown", "text/html"]
_CONTENT_TYPE = Field(
    "text/plain",
    description="`text/markdown` or `text/html`: the text is parsed (title, headings and "
    "meta description kept apart as ranking fields; code, scripts, menus and link targets "
    "dropped) and the response carries the plain `text` that the offsets index into.",
)
_TITLE = Field(
    None,
    max_length=1000,
    description="The page's title, when known: the strongest evidence of its topic (for "
    "plain text without it, a first line that looks like a title counts as one).",
)


class BatchDocument(BaseModel):
    model_config = _STRICT

    id: str | int | None = Field(None, description="Echoed back with the document's result.")
    text: Text
    language: Language | None = Field(None, description="Overrides the batch `language`.")
    content_type: ContentType = _CONTENT_TYPE
    title: str | None = _TITLE

    def input(self) -> ExtractionInput:
        return ExtractionInput(
            self.text, self.title, self.content_type, lang=self.language, id=self.id
        )


class ExtractRequest(ExtractOptionsIn):
    """One text."""

    text: Text
    content_type: ContentType = _CONTENT_TYPE
    title: str | None = _TITLE

    def inputs(self) -> list[ExtractionInput]:
        return [ExtractionInput(self.text, self.title, self.content_type)]


class BatchRequest(ExtractOptionsIn):
    """Several texts with the same options; results come back in input order."""

    documents: list[BatchDocument] = Field(min_length=1)

    def inputs(self) -> list[ExtractionInput]:
        return [d.input() for d in self.documents]


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
    encoder: str | None = Field(
        None,
        description="The sentence encoder (and its package version) that ranked this text, "
        "when one did: omni uses MiniLM for English and multilingual-e5 for Portuguese.",
    )


_PLAIN_TEXT = Field(
    None, description="Only for Markdown or HTML input: the plain text the offsets index into."
)


class ExtractResponse(BaseModel):
    keywords: list[KeywordOut]
    language: str = Field(description="The language used: the one asked for, or detected.")
    model: ModelRef
    took_ms: float
    text: str | None = _PLAIN_TEXT


class BatchItem(BaseModel):
    id: str | int | None = None
    keywords: list[KeywordOut]
    language: str
    model: ModelRef
    text: str | None = _PLAIN_TEXT


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


# ----------------------------------------------------------------------------- intent

#: Most phrases one ``POST /v1/keywords/intent`` call classifies.
MAX_INTENT_PHRASES = 1000
Phrase = Annotated[str, Field(min_length=1, max_length=200)]


class IntentRequest(BaseModel):
    """Keyword phrases to classify by search intent (okf.research.intent)."""

    model_config = _STRICT

    phrases: list[Phrase] = Field(min_length=1, max_length=MAX_INTENT_PHRASES)
    brands: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list,
        max_length=100,
        description="Brand names: a phrase made of one is navigational.",
    )
    language: Language = Field("auto", description="Cue lists: `auto` uses both pt and en.")


class IntentOut(BaseModel):
    phrase: str
    intent: Literal["informational", "commercial", "transactional", "navigational"]
    modifiers: list[Literal["question", "comparison", "local"]]
    funnel: Literal["top", "middle", "bottom"]
    reason: str


class IntentResponse(BaseModel):
    results: list[IntentOut]
    took_ms: float
