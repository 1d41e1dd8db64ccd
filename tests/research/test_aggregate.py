"""The corpus keyword table: variants merge, frequencies, scores and best documents."""

from __future__ import annotations

import math

import pytest

from okf.research.aggregate import Corpus, keyword_key
from okf.research.documents import DocKeyword, DocResult, from_row


def doc(i: str, lang: str, *kws: tuple[str, float, int]) -> DocResult:
    return DocResult(
        id=i,
        lang=lang,
        url=f"https://site.test/{i}",
        keywords=tuple(DocKeyword(p, s, c, (p,)) for p, s, c in kws),
    )


@pytest.mark.parametrize(
    ("a", "b", "lang"),
    [
        ("notebook", "notebooks", "en"),
        ("notebook", "Notebooks", "pt"),
        ("link interno", "links internos", "pt"),
        ("SEO técnico", "seo tecnico", "pt"),
        ("consultoria técnica", "consultorias técnicas", "pt"),
        ("Keyword Research", "keyword research", "en"),
    ],
)
def test_variants_share_a_key(a: str, b: str, lang: str) -> None:
    assert keyword_key(a, lang) == keyword_key(b, lang)


def test_different_phrases_keep_different_keys() -> None:
    assert keyword_key("seo técnico", "pt") != keyword_key("seo local", "pt")


def test_table_merges_counts_and_names_best_documents() -> None:
    corpus = Corpus().extend(
        [
            doc("a", "pt", ("SEO técnico", 0.9, 3), ("velocidade do site", 0.5, 2)),
            doc("b", "pt", ("seo tecnico", 0.6, 1), ("link interno", 0.4, 1)),
            doc("c", "pt", ("SEO técnico", 0.3, 2)),
            doc("d", "pt", ("SEO técnico", 0.7, 1)),
        ]
    )
    rows = {r.key: r for r in corpus.table()}
    seo = rows[keyword_key("seo técnico", "pt")]
    assert seo.phrase == "SEO técnico"  # the form seen most often
    assert set(seo.variants) == {"SEO técnico", "seo tecnico"}
    assert (seo.df, seo.total_count) == (4, 7)
    assert seo.best_score == 0.9
    assert seo.mean_score == pytest.approx((0.9 + 0.6 + 0.3 + 0.7) / 4)
    assert [d for d, _ in seo.top_docs] == [
        "https://site.test/a",
        "https://site.test/d",
        "https://site.test/b",
    ]
    table = corpus.table()
    assert table[0].key == seo.key and table[0].corpus_score == 1.0
    # documented formula: mean × (1 + ln df), normalised by the best row
    link = rows[keyword_key("link interno", "pt")]
    assert link.corpus_score == pytest.approx(0.4 / (seo.mean_score * (1 + math.log(4))))


def test_spread_zero_ranks_by_mean_score_alone() -> None:
    corpus = Corpus().extend(
        [doc("a", "en", ("rare term", 0.9, 1), ("common term", 0.5, 1))]
        + [doc(str(i), "en", ("common term", 0.5, 1)) for i in range(5)]
    )
    assert corpus.table()[0].phrase == "common term"
    assert corpus.table(spread=0.0)[0].phrase == "rare term"


def test_batch_rows_feed_the_same_table() -> None:
    row = {
        "id": "7",
        "title": "T",
        "url": None,
        "language": "en",
        "model": "statistical",
        "keywords": [{"phrase": "site speed", "score": 0.8, "count": 2, "variants": []}],
        "error": None,
    }
    result = from_row(row)
    assert (result.id, result.lang, result.label) == ("7", "en", "7")
    table = Corpus().extend([result]).table()
    assert table[0].phrase == "site speed" and table[0].total_count == 2
    with pytest.raises(ValueError, match="failed"):
        from_row({"id": "8", "keywords": None, "error": "empty"})
