"""Checks every non-neural model must pass (shared by test_statistical and test_graph)."""

from __future__ import annotations

from okf.models.base import ExtractOptions, Keyword, KeywordModel
from okf.text import prepare

EN = (
    "Keyword extraction finds the keywords of a document. Keyword extraction methods "
    "rank candidate phrases; a keyword extractor uses statistical features such as "
    "frequency and position. Graph-based keyword extraction builds a word graph. "
    "Neural keyword extraction uses sentence embeddings. Keywords help search engines."
)
PT = (
    "A otimização de consultas é essencial para bases de dados. As otimizações de "
    "consultas reduzem custos de processamento em São Paulo e em Lisboa. A otimização "
    "de consultas usa índices; os índices aceleram as consultas às bases de dados."
)


def check_keyword(text: str, kw: Keyword) -> None:
    assert 0.0 <= kw.score <= 1.0
    assert kw.count == len(kw.offsets) >= 1
    assert kw.phrase in kw.variants
    surfaces = {" ".join(text[s:e].split()) for s, e in kw.offsets}
    assert surfaces == set(kw.variants)
    assert list(kw.offsets) == sorted(kw.offsets)


def check_contract(model: KeywordModel) -> None:
    for text, lang in ((EN, "en"), (PT, "pt")):
        doc = prepare(text, lang)
        result = model.extract(doc, ExtractOptions(top_n=8))
        assert 1 <= len(result) <= 8
        scores = [k.score for k in result]
        assert scores == sorted(scores, reverse=True)
        assert scores[0] == 1.0
        for kw in result:
            check_keyword(text, kw)
        assert len({k.phrase.lower() for k in result}) == len(result)


def check_variants_merged(model: KeywordModel) -> None:
    en = model.extract(prepare(EN, "en"), ExtractOptions(top_n=50))
    keyword = next(k for k in en if k.phrase.lower() == "keyword")
    assert {"keyword", "Keywords"} <= set(keyword.variants)
    pt = model.extract(prepare(PT, "pt"), ExtractOptions(top_n=50))
    # "otimização" alone is a split part of the phrase (every use is inside it).
    otim = next(k for k in pt if k.phrase.lower() == "otimização de consultas")
    assert set(otim.variants) == {"otimização de consultas", "otimizações de consultas"}
    assert otim.count == 3


def check_options(model: KeywordModel) -> None:
    doc = prepare(EN, "en")
    assert len(model.extract(doc, ExtractOptions(top_n=3))) == 3
    assert model.extract(doc, ExtractOptions(top_n=0)) == []
    one = model.extract(doc, ExtractOptions(top_n=20, max_ngram=1))
    assert all(" " not in k.phrase for k in one)
    two = model.extract(doc, ExtractOptions(top_n=20, max_ngram=2))
    assert max(len(k.phrase.split()) for k in two) == 2


def _overlap(result: list[Keyword]) -> int:
    words = [w for k in result for w in k.phrase.lower().split()]
    return len(words) - len(set(words))


def check_diversity(model: KeywordModel) -> None:
    doc = prepare(EN, "en")
    plain = model.extract(doc, ExtractOptions(top_n=6))
    diverse = model.extract(doc, ExtractOptions(top_n=6, diversity=0.8))
    assert len(diverse) == 6
    assert _overlap(diverse) < _overlap(plain)
    scores = [k.score for k in diverse]
    assert scores == sorted(scores, reverse=True)
    assert diverse[0] == plain[0]


def check_deterministic(model_cls: type[KeywordModel]) -> None:
    for text in (EN, PT):
        runs = [
            model_cls().extract(prepare(text), ExtractOptions(top_n=15, diversity=d))
            for d in (0.0, 0.0, 0.5, 0.5)
        ]
        assert runs[0] == runs[1]
        assert runs[2] == runs[3]


def check_no_candidate(model: KeywordModel) -> None:
    assert model.extract(prepare("the of and 123 , 4.5 a", "en"), ExtractOptions()) == []
