"""The candidate API the models share: boundaries, filters, grouping and offsets."""

from __future__ import annotations

from okf.text import chunks, extract_candidates, prepare
from okf.text.stopwords import stopwords

EN = (
    "Keyword extraction finds keywords in documents. We propose to assess recurring issues "
    "of keyword extraction: 42 documents, 3.5 keywords and a 2-step method were analysed "
    "carefully by the keyword extractor. A fast neural network training algorithm helps."
)
PT = (
    "A otimização de consultas é essencial. As otimizações de consultas reduzem custos; "
    "a Otimização de consultas em São Paulo custou 3 milhões."
)


def test_offsets_slice_every_variant_back() -> None:
    for text, lang in ((EN, "en"), (PT, "pt")):
        doc = prepare(text, lang)
        for cand in extract_candidates(doc):
            assert cand.count == len(cand.offsets) >= 1
            for (start, end), surface in zip(cand.offsets, cand.surfaces, strict=True):
                assert " ".join(text[start:end].split()) == surface
            assert cand.phrase in cand.variants


def test_no_candidate_starts_or_ends_with_a_stopword_or_is_a_number() -> None:
    doc = prepare(EN, "en")
    stop = stopwords("en")
    for cand in extract_candidates(doc):
        words = cand.phrase.lower().split()
        assert words[0] not in stop and words[-1] not in stop
        assert not cand.phrase.replace(".", "").replace(",", "").isdigit()
        assert len(cand.phrase) > 1


def test_variants_are_merged_by_stem() -> None:
    en = {c.phrase.lower(): c for c in extract_candidates(prepare(EN, "en"))}
    keyword = next(c for c in en.values() if c.key == ("keyword",))
    assert {"keywords", "keyword"} <= {v.lower() for v in keyword.variants}
    pt = extract_candidates(prepare(PT, "pt"))
    otimizacao = next(c for c in pt if c.key == ("otimiz",))
    assert set(otimizacao.variants) == {"otimização", "otimizações", "Otimização"}
    assert otimizacao.phrase == "otimização"  # most frequent form, ties to the earliest
    assert otimizacao.count == 3


def test_max_ngram_is_respected_and_whole_chunks_are_flagged() -> None:
    doc = prepare(EN, "en")
    assert max(c.size for c in extract_candidates(doc, 1)) == 1
    three = extract_candidates(doc, 3)
    assert max(c.size for c in three) == 3
    assert max(c.size for c in extract_candidates(doc, 4)) == 4
    assert any(c.whole and c.size == 2 for c in three)
    for cand in three:
        assert cand.whole == any(o.size == o.chunk for o in cand.occurrences)


def test_chunks_stay_inside_sentences_and_cut_english_verbs() -> None:
    doc = prepare(EN, "en")
    for first, last in chunks(doc):
        assert doc.tokens[first].sentence == doc.tokens[last - 1].sentence
    phrases = {c.phrase for c in extract_candidates(doc)}
    # "to assess recurring issues": the verb after "to" is not glued to the term.
    assert "recurring issues" in phrases and "assess recurring issues" not in phrases
    assert not any(p.endswith("analysed") and " " in p for p in phrases)


def test_candidates_are_deterministic_and_in_text_order() -> None:
    first = [(c.key, c.offsets) for c in extract_candidates(prepare(PT, "pt"))]
    again = [(c.key, c.offsets) for c in extract_candidates(prepare(PT, "pt"))]
    assert first == again
    starts = [offsets[0][0] for _key, offsets in first]
    assert starts == sorted(starts)


def test_text_of_stopwords_and_numbers_has_no_candidate() -> None:
    assert extract_candidates(prepare("the of and 123 , 4.5 a", "en")) == []
