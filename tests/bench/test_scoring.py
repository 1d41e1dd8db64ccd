"""The standard scoring protocol, on hand-computed cases."""

from __future__ import annotations

import pytest

from okf.bench.scoring import Scorer, dedupe, normalize


def test_normalize_lowercases_and_stems_every_word() -> None:
    assert normalize("Neural  Networks", "en") == normalize("neural network", "en")
    assert normalize("Otimizações", "pt") == normalize("otimização", "pt")
    assert normalize("Neural Networks", "en") == "neural network"


def test_duplicates_after_stemming_are_removed_before_the_cut() -> None:
    assert dedupe(["Networks", "network", "", "graph"], "en") == ["network", "graph"]
    scorer = Scorer("en", ks=(2,))
    scorer.add(["networks", "network", "graph"], ["graph", "tree"])
    # Without de-duplication the cut at 2 would drop "graph".
    assert scorer.matched[2] == 1
    assert scorer.predicted[2] == 2


def test_micro_average_counts_every_gold_key() -> None:
    scorer = Scorer("en", ks=(5, 10))
    scorer.add(["a b", "c d", "e f"], ["a b", "x y", "absent key", "c d"])  # 2 of 3 right
    scorer.add(["g h"], ["g h", "i j"])  # 1 of 1 right
    figures = scorer.figures()
    p, r = 3 / 4, 3 / 6
    assert figures["p@5"] == pytest.approx(100 * p, abs=0.01)
    assert figures["r@5"] == pytest.approx(100 * r, abs=0.01)
    assert figures["f1@5"] == pytest.approx(100 * 2 * p * r / (p + r), abs=0.01)
    assert figures["f1@10"] == figures["f1@5"]


def test_cut_at_k_limits_predictions() -> None:
    scorer = Scorer("en", ks=(1,))
    scorer.add(["wrong", "right"], ["right"])
    assert scorer.figures()["p@1"] == 0.0


def test_no_prediction_scores_zero_without_dividing_by_zero() -> None:
    scorer = Scorer("en")
    scorer.add([], ["gold"])
    assert scorer.figures()["f1@10"] == 0.0
