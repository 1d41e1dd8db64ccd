"""Noun-phrase chunks from textblob's lexicon tagger, and the fallbacks."""

from __future__ import annotations

import pytest

from okf.text import chunks, prepare, tagging
from okf.text.tagging import noun_phrase_chunks, pos_tags


def phrases(text: str, spans: list[tuple[int, int]]) -> list[str]:
    doc = prepare(text, "en")
    return [doc.text[doc.tokens[a].start : doc.tokens[b - 1].end] for a, b in spans]


def test_verbs_and_adverbs_leave_the_chunks() -> None:
    text = "We propose efficient algorithms that quickly solve sparse linear systems."
    doc = prepare(text, "en")
    got = phrases(text, noun_phrase_chunks(doc))
    assert "efficient algorithms" in got
    assert "sparse linear systems" in got
    assert not any("propose" in p or "quickly" in p or "solve" in p for p in got)


def test_a_chunk_ends_with_a_noun() -> None:
    text = "A sparse solver is fast and robust. Results improve with large sparse."
    got = phrases(text, noun_phrase_chunks(prepare(text, "en")))
    assert got == ["sparse solver"]  # "robust" and the trailing "large sparse" are cut


def test_a_leading_gerund_is_a_verb_not_a_modifier() -> None:
    text = "Maintaining software systems is costly."
    got = phrases(text, noun_phrase_chunks(prepare(text, "en")))
    assert got == ["software systems"]


def test_nouns_that_look_like_verbs_are_repaired() -> None:
    doc = prepare("Wavelet transforms compress images. The wavelet transform keeps edges.", "en")
    tags = dict(zip([t.text for t in doc.tokens], pos_tags(doc), strict=True))
    assert tags["transforms"] == "NNS" and tags["compress"].startswith("VB")
    assert tags["transform"] == "NN"


def test_portuguese_and_missing_tagger_fall_back_to_plain_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pt = prepare("O governo aprovou o orçamento do Estado para hospitais públicos.", "pt")
    assert noun_phrase_chunks(pt) == chunks(pt)
    en = prepare("We propose efficient algorithms for sparse systems.", "en")
    monkeypatch.setattr(tagging, "tagger_available", lambda: False)
    assert noun_phrase_chunks(en) == chunks(en)
