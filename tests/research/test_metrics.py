"""Search Console and Keyword Planner exports joined to the keyword table."""

from __future__ import annotations

from pathlib import Path

import pytest

from okf.research.aggregate import Corpus
from okf.research.documents import DocKeyword, DocResult
from okf.research.metrics import (
    DEFAULT_WEIGHTS,
    index,
    opportunity,
    parse_weights,
    read_metrics,
    striking_distance,
)
from okf.research.sources import html_text

GSC_EN = (
    "Top queries,Clicks,Impressions,CTR,Position\nseo tecnico,12,400,3%,7.5\nnotebooks,0,90,0%,31\n"
)
GSC_PT = (
    "Principais consultas,Cliques,Impressões,CTR,Posição\n"
    '"SEO técnico",1.234,"45.600","2,7%","4,2"\n'
)
KP = (
    "Keyword Stats 2026-11-01 at 10_00_00\n1 de novembro de 2025 - 31 de outubro de 2026\n"
    "Palavra-chave\tMoeda\tMédia de pesquisas mensais\tConcorrência\tÍndice de concorrência\t"
    "Lance na parte superior da página (intervalo inferior)\n"
    "notebook\tBRL\t135000\tAlta\t100\t0,85\n"
    "seo técnico\tBRL\t1000\tBaixa\t12\t2,10\n"
)


def test_search_console_english_and_portuguese(tmp_path: Path) -> None:
    en, pt = tmp_path / "en.csv", tmp_path / "pt.csv"
    en.write_text(GSC_EN, encoding="utf-8")
    pt.write_text(GSC_PT, encoding="utf-8")
    first = read_metrics(en)[0]
    assert (first.phrase, first.clicks, first.impressions, first.position) == (
        "seo tecnico",
        12,
        400,
        7.5,
    )
    assert first.ctr == pytest.approx(0.03) and first.volume is None
    row = read_metrics(pt)[0]
    assert (row.clicks, row.impressions, row.position) == (1234, 45600, 4.2)
    assert row.ctr == pytest.approx(0.027)


def test_keyword_planner_utf16_tsv(tmp_path: Path) -> None:
    path = tmp_path / "kp.csv"
    path.write_bytes(KP.encode("utf-16"))
    rows = read_metrics(path)
    assert [(r.phrase, r.volume, r.competition, r.bid_low) for r in rows] == [
        ("notebook", 135000, 100, 0.85),
        ("seo técnico", 1000, 12, 2.10),
    ]
    assert rows[0].impressions is None  # never invented


def test_join_by_normalised_phrase_and_opportunity(tmp_path: Path) -> None:
    path = tmp_path / "kp.csv"
    path.write_bytes(KP.encode("utf-16"))
    corpus = Corpus().extend(
        [
            DocResult(
                "a",
                "pt",
                (
                    DocKeyword("SEO Técnico", 0.9),
                    DocKeyword("Notebooks", 0.5),
                    DocKeyword("mouse sem fio", 0.4),
                ),
            )
        ]
    )
    rows = corpus.table()
    joined = opportunity(rows, index(read_metrics(path)), DEFAULT_WEIGHTS)
    by_phrase = {r.phrase: j for r, j in zip(rows, joined, strict=True)}
    assert by_phrase["Notebooks"].metrics.volume == 135000
    assert by_phrase["SEO Técnico"].metrics.volume == 1000
    assert by_phrase["mouse sem fio"].metrics is None
    # no data: only relevance counts
    mouse = next(r for r in rows if r.phrase == "mouse sem fio")
    assert by_phrase["mouse sem fio"].opportunity == pytest.approx(0.1 * mouse.corpus_score)
    only_volume = parse_weights("volume=1,impressions=0,position=0,competition=0,relevance=0")
    again = opportunity(rows, index(read_metrics(path)), only_volume)
    assert again[[r.phrase for r in rows].index("Notebooks")].opportunity == pytest.approx(1.0)


def test_bad_files_and_weights_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Search Console"):
        read_metrics(path)
    with pytest.raises(ValueError, match="unknown opportunity weight"):
        parse_weights("volumes=1")


def test_striking_distance() -> None:
    assert [striking_distance(p) for p in (None, 2, 5, 15, 40)] == [0, 0, 1, 0.5, 0.2]


def test_html_pages_keep_headings_and_drop_scripts() -> None:
    text = html_text(
        "<html><head><script>var x=1;</script><title>T</title></head><body>"
        "<h2>O que é SEO técnico?</h2><p>Texto <b>forte</b>.</p></body></html>"
    )
    assert text.splitlines() == ["T", "O que é SEO técnico?", "Texto forte."]
