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


def test_the_tagger_loads_without_nltk_and_with_textblobs_own_lexicon() -> None:
    """textblob's tagger without ``import textblob`` (nltk, scipy...), its lexicon filled
    from the no-junk rule's copy: the same table textblob's ``Lexicon`` loads itself."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from okf.text.tagging import _parser\n"
        "parser = _parser()\n"
        "print(parser.find_tags(['the', 'wavelet', 'transforms']))\n"
        "print('nltk' in sys.modules, 'textblob.blob' in sys.modules)\n"
        "from textblob._text import Lexicon\n"
        "import textblob.en as en\n"
        "own = Lexicon(path=str(Path(en.__file__).parent / 'en-lexicon.txt'))\n"
        "print(dict(own.items()) == dict(parser.lexicon.items()), len(own) > 90000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "[['the', 'DT'], ['wavelet', 'NN'], ['transforms', 'VBZ']]"  # raw tags
    assert lines[1:] == ["False False", "True True"]
