"""Noun phrases that cross a preposition: "taxa de conversão", "return on investment".

Candidates never hold a stopword, so "mecanismos de busca" could only come out as
"mecanismos", and "marketing de conteúdo" not at all. Here two chunks separated by a
single preposition (pt: de/da/do/das/dos, para, com, em, sem; en: of, on, for) are joined:
the last one or two words of the left chunk (a noun, maybe with its adjective), the
preposition, the first one or two words of the right one, at most ``max_ngram``
content words. Such joins are common and most are not terms ("dicas de
otimização"), so one becomes a candidate only when the text supports it: it occurs at least
twice (three times in English), or it is in the title or a heading and in the body
of a text longer than an abstract.
Its parts stay candidates; a supported join scores the sum of its words in every
model, so the whole phrase wins over its parts.

The preposition sits in the key as a marker (``"~de"``): contractions share it
("otimização da página" and "otimização de página" are one keyword), and no model
gives it a weight of its own.
"""

from __future__ import annotations

import itertools

from okf.text.document import Document

#: Prepositions that may join two parts of one noun phrase, and the marker of each.
PREPOSITIONS: dict[str, dict[str, str]] = {
    "pt": {
        "de": "~de",
        "da": "~de",
        "do": "~de",
        "das": "~de",
        "dos": "~de",
        "para": "~para",
        "com": "~com",
        "em": "~em",
        "sem": "~sem",
    },
    "en": {"of": "~of", "on": "~on", "for": "~for"},
}
#: Occurrences that make a join a candidate (a title or heading always does). English
#: "X of Y" said twice in an abstract is seldom a term: at 2, Inspec F1@10 of
#: ``statistical`` fell 35.63 → 33.63; at 3 it stays 35.63.
MIN_COUNT = {"pt": 2, "en": 3}
#: A title counts only above an abstract's length: above a 150-word abstract the title
#: is just its first sentence (Inspec, first 50: F1@5 32.55 → 30.32 with title joins).
HEADED_MIN_TOKENS = 350


def _verb_follows(doc: Document, index: int) -> bool:
    """Whether the word at ``index`` is a verb (English lexicon), so a join may stop
    before it; otherwise the right part must be its whole chunk, never cut inside a
    noun phrase ("acquisition of *out-of-print* printed music")."""
    if doc.language != "en":
        return False
    from okf.text.junk import lexicon_tag

    return lexicon_tag(doc.lowers[index]) in ("VB", "VBZ", "VBP", "VBD", "MD")


def is_marker(stem: str) -> bool:
    """Whether a key element is a preposition marker (it has no word weight)."""
    return stem[:1] == "~"


def marker(language: str, lower: str) -> str | None:
    return PREPOSITIONS.get(language, {}).get(lower)


def _joins(doc: Document, max_ngram: int, spans: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    """(first, last, prep index) of every join of two chunks across one preposition."""
    preps = PREPOSITIONS.get(doc.language)
    if not preps:
        return
    tokens, lowers = doc.tokens, doc.lowers
    for (a_first, a_last), (b_first, b_last) in itertools.pairwise(spans):
        if b_first != a_last + 1 or lowers[a_last] not in preps:
            continue
        if tokens[a_first].sentence != tokens[b_last - 1].sentence:
            continue
        for left in (1, 2):
            if a_last - left < a_first:
                break
            for right in (1, 2):
                end = b_first + right
                if end > b_last or left + right > max_ngram:
                    break
                if end == b_last or _verb_follows(doc, end):
                    yield a_last - left, end, a_last


def joined_candidates(doc: Document, max_ngram: int, spans: list[tuple[int, int]]) -> list:  # type: ignore[type-arg]
    """Candidates for the supported joins of ``spans`` (see the module docstring)."""
    from okf.text.candidates import Candidate, Occurrence
    from okf.text.fields import field_grams

    if max_ngram < 2:
        return []
    text, tokens, stems, lowers = doc.text, doc.tokens, doc.stems, doc.lowers
    found: dict[tuple[str, ...], Candidate] = {}
    for first, last, prep in _joins(doc, max_ngram, spans):
        key = (
            *stems[first:prep],
            marker(doc.language, lowers[prep]) or "~",
            *stems[prep + 1 : last],
        )
        cand = found.get(key)
        if cand is None:
            cand = found[key] = Candidate(key, text, whole=True)
        size = last - first
        cand.occurrences.append(
            Occurrence(
                tokens[first].start, tokens[last - 1].end, first, size, tokens[first].sentence, size
            )
        )
    if not found:
        return []
    fields = doc.fields
    headed = field_grams([fields.title, *fields.headings], doc.language, max_ngram + 1)
    least = MIN_COUNT.get(doc.language, 2)
    # In the title or a heading *and* in the body: a title that is the text's first
    # line counts once already (alone, Inspec F1@10 −1.8: title phrases with "of").
    headed_least = 2 if fields.title and fields.title in doc.text[: len(fields.title) + 200] else 1
    if len(doc.tokens) < HEADED_MIN_TOKENS:
        headed = set()
    return [
        c
        for c in found.values()
        if c.count >= least or (c.key in headed and c.count >= headed_least)
    ]
