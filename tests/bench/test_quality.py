"""Quality regression on a fixed Inspec subset (the first 50 documents by id).

Measured 2026-12-02: statistical 1.2.0 F1@5 32.55 / F1@10 38.18, graph 1.1.0 F1@5
29.21 / F1@10 36.74. Models are deterministic, so the floors sit a little under.
"""

from __future__ import annotations

import pytest

from okf.bench import load_dataset, run_benchmark
from okf.models.base import ModelRegistry
from okf.models.graph import GraphModel
from okf.models.statistical import StatisticalModel

FLOORS = {
    "statistical": {"f1@5": 31.0, "f1@10": 37.0},
    "graph": {"f1@5": 28.0, "f1@10": 34.5},
}


@pytest.mark.parametrize("model", sorted(FLOORS))
def test_inspec_subset_quality_floor(model: str, dataset_dir) -> None:  # type: ignore[no-untyped-def]
    data = load_dataset(dataset_dir("Inspec-test-SIFRank"), max_docs=50)
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    registry.register(GraphModel())
    result = run_benchmark(data, registry, model=model, language="en")
    assert result["n_docs"] == 50
    for key, floor in FLOORS[model].items():
        assert result[key] >= floor, f"{model} {key} {result[key]} fell under {floor}"
