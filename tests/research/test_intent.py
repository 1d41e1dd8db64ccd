"""Search intent: rules on hand-written queries, the labelled sets, and ``okf intent``."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from okf.cli import main
from okf.research.intent import IntentClassifier, classify
from okf.research.intent_eval import evaluate

DATA = Path(__file__).parents[1] / "data"


def test_each_class_and_its_reason() -> None:
    assert classify("como fazer pão de queijo").intent == "informational"
    assert classify("melhor fone bluetooth").intent == "commercial"
    assert classify("comprar fone bluetooth").intent == "transactional"
    got = classify("acme login", brands=["acme"])
    assert got.intent == "navigational"
    assert "'acme' +2 (brand)" in got.reason and "'login'" in got.reason
    assert got.funnel == "bottom"


def test_accents_and_case_do_not_matter() -> None:
    a, b = classify("Preço do iPhone"), classify("preco do iphone")
    assert a.intent == b.intent == "transactional"
    assert a.reason == b.reason


def test_a_brand_alone_navigates_but_a_stronger_cue_wins() -> None:
    clf = IntentClassifier(["Loja Zeta"])
    assert clf.classify("loja zeta").intent == "navigational"
    assert clf.classify("loja zeta preço").intent == "transactional"
    assert clf.classify("loja zeta review").intent == "commercial"
    assert IntentClassifier().classify("loja zeta").intent == "transactional"  # not a brand


def test_openers_count_only_at_the_start() -> None:
    assert classify("how to buy a house").intent == "informational"
    assert classify("buy a house how to").intent == "transactional"


def test_or_compares_only_between_two_terms() -> None:
    assert "comparison" in classify("kindle ou kobo").modifiers
    assert classify("kindle ou kobo").intent == "commercial"
    assert "comparison" not in classify("ou kindle").modifiers
    assert "comparison" not in classify("iphone x").modifiers


def test_modifiers() -> None:
    assert classify("dentista perto de mim").modifiers == ("local",)
    assert "local" in classify("hotel em São Paulo").modifiers
    assert classify("what is seo").modifiers == ("question",)
    assert classify("seo técnico?").modifiers == ("question",)
    assert classify("iphone vs galaxy").modifiers == ("comparison",)


def test_no_cue_is_informational_and_says_so() -> None:
    got = classify("fotossíntese")
    assert (got.intent, got.funnel) == ("informational", "top")
    assert "no cue" in got.reason


def test_lang_restricts_the_cue_lists() -> None:
    assert classify("comprar casa", lang="en").intent == "informational"
    assert classify("comprar casa", lang="pt").intent == "transactional"


@pytest.mark.parametrize("name", ["intent_queries.tsv", "intent_queries_heldout.tsv"])
def test_labelled_sets(name: str) -> None:
    result = evaluate(DATA / name)
    assert sum(result.total.values()) >= (200 if name == "intent_queries.tsv" else 50)
    assert result.accuracy >= 0.9, result.misses
    assert min(result.per_class().values()) >= 0.85, result.per_class()
    assert min(result.modifier_accuracy().values()) >= 0.9


def test_the_main_set_has_both_languages_and_every_class() -> None:
    text = (DATA / "intent_queries.tsv").read_text(encoding="utf-8")
    rows = list(
        csv.reader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    )[1:]
    for lang in ("pt", "en"):
        classes = {r[2] for r in rows if r[0] == lang}
        assert classes == {"informational", "commercial", "transactional", "navigational"}
        assert sum(r[0] == lang for r in rows) >= 100


def _run(argv: list[str], stdin: str, monkeypatch, capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    )
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_formats(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    phrases = "comprar notebook\nzeta login\n\nmelhor notebook\n"
    code, out, _ = _run(
        ["intent", "--brand", "zeta", "--format", "json"], phrases, monkeypatch, capsys
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["intent"] for r in rows] == ["transactional", "navigational", "commercial"]
    assert rows[1]["funnel"] == "bottom" and "zeta" in rows[1]["reason"]
    code, out, _ = _run(["intent", "--format", "csv"], phrases, monkeypatch, capsys)
    table = list(csv.DictReader(io.StringIO(out)))
    assert table[0]["phrase"] == "comprar notebook" and table[0]["funnel"] == "bottom"
    code, out, _ = _run(["intent"], phrases, monkeypatch, capsys)
    assert out.splitlines()[0].split()[:3] == ["phrase", "intent", "funnel"]
    assert len(out.splitlines()) == 4


def test_cli_empty_input_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["intent"], "\n \n", monkeypatch, capsys)
    assert code == 1 and "no phrases" in err
