"""The one path a text takes through okf: options, checks, model, budget, result.

Every front door (``okf extract``, the HTTP API, ``okf bench``, and later batch, research
and the web page) builds an :class:`Extractor` once and calls :meth:`Extractor.run`; it
adds only its own I/O (reading files, parsing JSON, rendering). So the same text and
options give the same keywords whichever door they came through.

The path, for each call::

    ExtractionInput ──► check_text ──► to_plain (markup → text + fields) ──► prepare
        ──► model (looked up once, loaded once) ──► registry.run (timed, reported)
        ──► ExtractionResult (keywords with offsets and variants, language, model)

Where a new front door plugs in: build an extractor with :func:`build_extractor` (from
:class:`~okf.settings.Settings`, no HTTP app needed, so a worker process can do it) and
call :meth:`Extractor.run`. Where markup plugs in: :data:`CONVERTERS` maps a content type
to a function turning the raw text into :class:`Plain` text plus fields.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from okf.models.base import ExtractOptions, Keyword, KeywordModel, ModelRegistry
from okf.text import CHOICES, MAX_CHARS, Document, InvalidTextError, prepare
from okf.text.errors import EmptyTextError, InvalidEncodingError, TextTooLargeError
from okf.text.fields import Fields, lead_of

if TYPE_CHECKING:
    from okf.settings import Settings

__all__ = [
    "CONVERTERS",
    "DEFAULTS",
    "ExtractionInput",
    "ExtractionOptions",
    "ExtractionResult",
    "Extractor",
    "InvalidInputError",
    "InvalidOptionError",
    "ModelRef",
    "Plain",
    "UnsupportedContentTypeError",
    "build_extractor",
    "check_text",
]

_MODEL_DEFAULTS = ExtractOptions()


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class ExtractionInput:
    """One document as a front door received it.

    ``lang`` overrides the run's language for this document (None: the run's); ``id``
    is echoed back in the result; ``title`` and ``content_type`` are for front doors
    that know them (Markdown or HTML pages): see :data:`CONVERTERS`.
    """

    text: str
    title: str | None = None
    content_type: str = "text/plain"
    lang: str | None = None
    id: str | int | None = None


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    """What a caller may choose, with every default written once (here and in
    :class:`~okf.models.base.ExtractOptions`, which these defaults come from)."""

    top_n: int = _MODEL_DEFAULTS.top_n
    max_ngram: int = _MODEL_DEFAULTS.max_ngram
    #: 0 = pure relevance; towards 1 = fewer near-duplicates; None = the model's default.
    diversity: float | None = _MODEL_DEFAULTS.diversity
    #: ``auto`` detects pt or en per document.
    language: str = "auto"
    #: A registered model name; None = the extractor's default model.
    model: str | None = None

    def for_model(self) -> ExtractOptions:
        """The part a model sees."""
        return ExtractOptions(top_n=self.top_n, max_ngram=self.max_ngram, diversity=self.diversity)

    def check(self, *, max_top_n: int | None = None, max_ngram: int | None = None) -> None:
        """Refuse out-of-range values with :class:`InvalidOptionError` naming the option."""
        _check_int("top_n", self.top_n, max_top_n)
        _check_int("max_ngram", self.max_ngram, max_ngram)
        d = self.diversity
        if d is not None and not 0.0 <= d <= 1.0:  # NaN fails too
            raise InvalidOptionError("diversity", "must be between 0 and 1")
        if self.language not in CHOICES:
            raise InvalidOptionError(
                "language", f"unsupported {self.language!r}; valid: {', '.join(CHOICES)}"
            )


DEFAULTS = ExtractionOptions()


def _check_int(name: str, value: int, upper: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidOptionError(name, "must be an integer of at least 1")
    if upper is not None and value > upper:
        raise InvalidOptionError(name, f"must be at most {upper}")


class InvalidOptionError(ValueError):
    """An option out of range; ``option`` names it."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option} {message}")
        self.option = option


class InvalidInputError(InvalidTextError):
    """A document of a run that cannot be extracted from: which one (``index``) and why."""

    def __init__(self, index: int, cause: InvalidTextError) -> None:
        super().__init__(str(cause))
        self.index = index
        self.cause = cause


class UnsupportedContentTypeError(InvalidTextError):
    """A content type no converter handles; the message lists the known ones."""

    def __init__(self, content_type: str, known: Sequence[str]) -> None:
        super().__init__(f"unsupported content type {content_type!r}; valid: {', '.join(known)}")
        self.content_type = content_type


# ----------------------------------------------------------------------------- checks


def check_text(text: object) -> str:
    """The one check of a raw text, before any work; raises an :class:`InvalidTextError`.

    A str, at most :data:`~okf.text.MAX_CHARS` characters, with a visible character, and
    encodable as UTF-8 (JSON escapes can smuggle lone surrogates, ``"\\ud800"``, into a
    str; they would break models and the response).
    """
    if not isinstance(text, str):
        raise InvalidTextError(f"text must be a str, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise TextTooLargeError(len(text), MAX_CHARS)
    if not any(c.isprintable() and not c.isspace() for c in text):
        raise EmptyTextError()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEncodingError(f"unpaired surrogate at character {exc.start}") from None
    return text


# ----------------------------------------------------------------------------- markup seam


@dataclass(frozen=True, slots=True)
class Plain:
    """A text reduced to plain text, with the fields its markup carried."""

    text: str
    title: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


Converter = Callable[[ExtractionInput], Plain]


def _plain_text(item: ExtractionInput) -> Plain:
    return Plain(item.text, item.title)


def _markup(item: ExtractionInput) -> Plain:
    """Markdown or HTML through :mod:`okf.text.markup`; its fields ride in ``fields``."""
    from okf.text.markup import structure

    page = structure(item.text, item.content_type, item.title)
    return Plain(page.text, page.fields.title or None, {"fields": page.fields})


#: Content type → converter (Markdown and HTML: :mod:`okf.text.markup`); offsets in the
#: result then refer to ``Plain.text``, which the result carries (``text``).
CONVERTERS: dict[str, Converter] = {
    "text/plain": _plain_text,
    "text/markdown": _markup,
    "text/html": _markup,
}


def to_plain(item: ExtractionInput) -> Plain:
    """Turn a document's markup into plain text plus fields (identity for text/plain)."""
    kind = item.content_type.split(";", 1)[0].strip().lower() or "text/plain"
    converter = CONVERTERS.get(kind)
    if converter is None:
        raise UnsupportedContentTypeError(item.content_type, sorted(CONVERTERS))
    return converter(item)


def prepare_input(item: ExtractionInput, language: str) -> Document:
    """Check, convert and prepare one document (``language``: the run's, unless the
    input names its own)."""
    check_text(item.text)
    plain = to_plain(item)
    fields = plain.fields.get("fields")
    if fields is None and plain.title:  # plain text with the caller's title
        fields = Fields(title=plain.title.strip(), lead=lead_of(plain.text))
    if not plain.text.strip():  # markup with no readable text (only code, only menus):
        return prepare(item.text, item.lang or language)  # degrade to the text itself
    return prepare(plain.text, item.lang or language, fields)


def is_plain(item: ExtractionInput) -> bool:
    """Whether offsets index into the caller's own text (else the result carries it)."""
    kind = item.content_type.split(";", 1)[0].strip().lower()
    return kind in ("", "text/plain")


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ModelRef:
    name: str
    version: str
    #: The sentence encoder that ranked this text, when one did (``omni``: per language).
    encoder: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"name": self.name, "version": self.version}
        if self.encoder is not None:
            out["encoder"] = self.encoder
        return out


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """One document's answer; ``error`` is set (and ``keywords`` empty) only in runs
    that keep going past a bad document (``errors="keep"``)."""

    keywords: list[Keyword]
    language: str | None
    model: ModelRef
    id: str | int | None = None
    error: InvalidTextError | None = None
    #: The plain text the offsets index into, when the input was Markdown or HTML.
    text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``keywords`` (phrase, score, count, offsets, variants),
        ``language``, ``model`` {name, version}, and ``id``/``error``/``text`` when set."""
        out: dict[str, Any] = {
            "keywords": [k.as_dict() for k in self.keywords],
            "language": self.language,
            "model": self.model.as_dict(),
        }
        if self.id is not None:
            out["id"] = self.id
        if self.error is not None:
            out["error"] = {"type": type(self.error).__name__, "message": str(self.error)}
        if self.text is not None:
            out["text"] = self.text
        return out


# ----------------------------------------------------------------------------- extractor


class Extractor:
    """A registry, its default model and the time budget: everything a run needs.

    ``budget_s`` is the one time budget: the caller that waits (the service's executor)
    gives up after it, and a model call that took longer is reported as ``timeout``.
    """

    def __init__(
        self,
        registry: ModelRegistry,
        *,
        default_model: str | None = None,
        budget_s: float | None = None,
    ) -> None:
        self.registry = registry
        self.default_model = default_model or registry.default
        if self.default_model is not None:
            registry.get(self.default_model)  # fail at start, not per call, on a bad name
        self.budget_s = budget_s
        self._loaded: set[str] = set()
        self._locks = {m.name: threading.Lock() for m in registry}

    def model(self, name: str | None = None) -> KeywordModel:
        """The model asked for (default if None); raises ``UnknownModelError`` or
        ``ModelUnavailableError`` (checked before ``load()``, which would fail on the
        missing extra)."""
        return self.registry.resolve(self.default_model if name is None else name)

    def ensure_loaded(self, model: KeywordModel) -> None:
        """Call ``model.load()`` exactly once, whichever thread gets there first."""
        if model.name in self._loaded:
            return
        with self._locks.setdefault(model.name, threading.Lock()):
            if model.name not in self._loaded:
                model.load()
                self._loaded.add(model.name)

    def run(
        self,
        inputs: Sequence[ExtractionInput],
        options: ExtractionOptions = DEFAULTS,
        *,
        errors: Literal["raise", "keep"] = "raise",
    ) -> list[ExtractionResult]:
        """Extract from every input, in order, with one model call.

        ``errors="raise"``: a bad document raises :class:`InvalidInputError` (its index
        and cause) before the model runs. ``errors="keep"``: its result carries the
        error and no keywords, and the others still run.
        """
        model = self.model(options.model)
        ref = ModelRef(model.name, model.version)
        docs: list[Document | None] = []
        failures: dict[int, InvalidTextError] = {}
        for i, item in enumerate(inputs):
            try:
                docs.append(prepare_input(item, options.language))
            except InvalidTextError as exc:
                if errors == "raise":
                    raise InvalidInputError(i, exc) from exc
                failures[i] = exc
                docs.append(None)
        good = [d for d in docs if d is not None]
        found = iter(self._predict(model, good, options.for_model()) if good else [])
        return [
            ExtractionResult(
                next(found),
                doc.language,
                replace(ref, encoder=model.encoder(doc.language)),
                item.id,
                text=None if is_plain(item) else doc.text,
            )
            if doc is not None
            else ExtractionResult([], None, ref, item.id, failures[i])
            for i, (item, doc) in enumerate(zip(inputs, docs, strict=True))
        ]

    def extract(self, text: str, options: ExtractionOptions = DEFAULTS) -> ExtractionResult:
        """One plain text; raises the text's own error (not wrapped) when it is invalid."""
        return self.extract_input(ExtractionInput(text), options)

    def extract_input(
        self, item: ExtractionInput, options: ExtractionOptions = DEFAULTS
    ) -> ExtractionResult:
        """One document; raises the text's own error (not wrapped) when it is invalid."""
        try:
            return self.run([item], options)[0]
        except InvalidInputError as exc:
            raise exc.cause from None

    def _predict(
        self, model: KeywordModel, docs: list[Document], options: ExtractOptions
    ) -> list[list[Keyword]]:
        self.ensure_loaded(model)
        return self.registry.run(model, docs, options, budget_s=self.budget_s)


def build_extractor(
    settings: Settings | None = None, registry: ModelRegistry | None = None
) -> Extractor:
    """An extractor from settings (default model, time budget) and this build's models
    (``okf.models.catalog``) unless ``registry`` is given. Needs no HTTP app, so a worker
    process can build its own."""
    from okf.settings import Settings

    settings = settings or Settings()
    if registry is None:
        from okf.models.catalog import build_registry

        registry = build_registry()
    return Extractor(
        registry, default_model=settings.default_model, budget_s=settings.request_timeout_s
    )
