"""The ``statistical`` model honours the Keyword contract and the options."""

from __future__ import annotations

from okf.models.statistical import StatisticalModel
from tests.models import _contract as contract


def test_name_version_languages() -> None:
    model = StatisticalModel()
    assert model.name == "statistical"
    assert model.version
    assert set(model.languages) == {"pt", "en"}
    assert model.unavailable_reason() is None


def test_keywords_follow_the_contract_on_pt_and_en() -> None:
    contract.check_contract(StatisticalModel())


def test_variants_are_merged_by_stem() -> None:
    contract.check_variants_merged(StatisticalModel())


def test_top_n_and_max_ngram_are_honoured() -> None:
    contract.check_options(StatisticalModel())


def test_diversity_penalises_phrases_sharing_stems() -> None:
    contract.check_diversity(StatisticalModel())


def test_same_input_same_output() -> None:
    contract.check_deterministic(StatisticalModel)


def test_text_without_candidates_gives_no_keyword() -> None:
    contract.check_no_candidate(StatisticalModel())


def test_weights_move_from_short_to_long_texts() -> None:
    from okf.models.statistical import Params

    params = Params()
    assert params.blend(10) == 0.0
    assert params.blend(params.short_words) == 0.0
    assert 0.0 < params.blend(250) < 1.0
    assert params.blend(params.long_words) == 1.0
    assert params.blend(100_000) == 1.0


def test_a_whole_multiword_term_beats_its_own_words_in_an_abstract() -> None:
    from okf.models.base import ExtractOptions
    from okf.text import prepare

    text = "We study query optimization. Query optimization is hard for databases."
    top = StatisticalModel().extract(prepare(text, "en"), ExtractOptions(top_n=3))
    assert top[0].phrase == "query optimization"
    assert top[0].count == 2
