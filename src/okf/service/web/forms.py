"""The extract form's fields → the extraction path's input and options.

A form sends strings; each one is read here with the same bounds the JSON API applies
(``ExtractionOptions.check`` with this app's limits), and a bad value is a 422 problem
naming the field, which the page shows next to the form.
"""

from __future__ import annotations

from okf.extraction import CONVERTERS, ExtractionInput, ExtractionOptions, InvalidOptionError
from okf.service.problems import ProblemError
from okf.settings import Settings


#: Formats offered: the markup converters registered on the extraction path (plain text
#: first); Markdown and HTML appear once okf.text.markup registers them.
def content_types() -> list[str]:
    return sorted(CONVERTERS, key=lambda t: (t != "text/plain", t))


LANGUAGES = ("auto", "pt", "en")


def _invalid(field: str, message: str) -> ProblemError:
    return ProblemError(
        422,
        f"{field}: {message}",
        slug="validation-error",
        errors=[{"field": field, "message": message}],
    )


def _integer(form: dict[str, str], field: str, default: int) -> int:
    raw = form.get(field, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise _invalid(field, f"must be a whole number, not {raw[:20]!r}")
    return int(raw)


def _diversity(form: dict[str, str]) -> float | None:
    raw = form.get("diversity", "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise _invalid("diversity", f"must be a number between 0 and 1, not {raw[:20]!r}") from None


def extraction_request(
    form: dict[str, str], settings: Settings
) -> tuple[ExtractionInput, ExtractionOptions]:
    """The one document and the options a submitted extract form asks for."""
    language = form.get("language", "auto") or "auto"
    if language not in LANGUAGES:
        raise _invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    content_type = form.get("content_type", "text/plain") or "text/plain"
    if content_type not in CONVERTERS:
        raise _invalid("content_type", f"must be one of {', '.join(content_types())}")
    defaults = ExtractionOptions()
    options = ExtractionOptions(
        top_n=_integer(form, "top_n", defaults.top_n),
        max_ngram=_integer(form, "max_ngram", defaults.max_ngram),
        diversity=_diversity(form),
        language=language,
        model=form.get("model") or None,
    )
    try:
        options.check(max_top_n=settings.max_top_n, max_ngram=settings.max_ngram_limit)
    except InvalidOptionError as exc:
        raise _invalid(exc.option, str(exc).removeprefix(exc.option + " ")) from None
    # Browsers send a textarea's line breaks as CRLF; the user's text had LF.
    text = form.get("text", "").replace("\r\n", "\n")
    if not text.strip():
        raise _invalid("text", "paste a text or drop a file first")
    return ExtractionInput(text, content_type=content_type), options
