"""The ``graph`` model honours the Keyword contract and the options."""

from __future__ import annotations

from okf.models.graph import GraphModel
from tests.models import _contract as contract


def test_name_version_languages() -> None:
    model = GraphModel()
    assert model.name == "graph"
    assert model.version
    assert set(model.languages) == {"pt", "en"}
    assert model.unavailable_reason() is None


def test_keywords_follow_the_contract_on_pt_and_en() -> None:
    contract.check_contract(GraphModel())


def test_variants_are_merged_by_stem() -> None:
    contract.check_variants_merged(GraphModel())


def test_top_n_and_max_ngram_are_honoured() -> None:
    contract.check_options(GraphModel())


def test_diversity_penalises_phrases_sharing_stems() -> None:
    contract.check_diversity(GraphModel())


def test_same_input_same_output() -> None:
    contract.check_deterministic(GraphModel)


def test_text_without_candidates_gives_no_keyword() -> None:
    contract.check_no_candidate(GraphModel())


def test_word_ranks_are_a_distribution_favouring_early_words() -> None:
    from okf.models.graph import GraphParams, word_ranks
    from okf.text import prepare

    text = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu."
    ranks = word_ranks(prepare(text, "en"), GraphParams())
    assert abs(sum(ranks.values()) - 1.0) < 1e-9
    assert ranks["alpha"] > ranks["iota"]
