"""General-language rarity from wordfreq's shipped lists, and its use in ``statistical``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from okf.models.base import ExtractOptions
from okf.models.statistical import Params, StatisticalModel
from okf.text import prepare
from okf.text.rarity import UNKNOWN_FREQUENCY, frequencies, rarity


def test_rarity_orders_words_by_how_common_they_are() -> None:
    en, pt = frequencies("en"), frequencies("pt")
    the, algorithm, eigen = (rarity(en.get(w, 0.0)) for w in ("the", "algorithm", "eigenvalue"))
    assert the < algorithm < eigen <= rarity(0.0) == -math.log10(UNKNOWN_FREQUENCY)
    assert rarity(pt.get("governo", 0.0)) < rarity(pt.get("orçamento", 0.0)) < rarity(0.0)


def test_statistical_prefers_the_rarer_of_two_equally_placed_words() -> None:
    """Same counts, lengths and chunks; the common word comes first: position favours it."""
    text = "Notes on house. Notes on boson. Notes on house and boson."
    doc = prepare(text, "en")
    with_rarity = [k.phrase.lower() for k in StatisticalModel().extract(doc, ExtractOptions())]
    without = StatisticalModel(Params(specificity=(0.0, 0.0))).extract(doc, ExtractOptions())
    plain = [k.phrase.lower() for k in without]
    assert with_rarity.index("boson") < with_rarity.index("house")
    assert plain.index("house") < plain.index("boson")


def test_saved_lists_equal_wordfreqs_and_a_broken_one_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON kept on disk is wordfreq's list; a truncated file is replaced, not used."""
    import wordfreq

    from okf.text import rarity as module

    path = tmp_path / "share" / "en.json"
    monkeypatch.setattr(module, "list_path", lambda language: path)
    module.frequencies.cache_clear()
    try:
        built = module.frequencies("en")  # no file yet: built from wordfreq, then saved
        assert built == wordfreq.get_frequency_dict("en", wordlist="small")
        assert json.loads(path.read_text(encoding="utf-8")) == built
        path.write_text('{"the": 0.05', encoding="utf-8")  # cut short
        module.frequencies.cache_clear()
        assert module.frequencies("en") == built
        assert json.loads(path.read_text(encoding="utf-8")) == built
    finally:
        module.frequencies.cache_clear()
