"""Dataset reading, peers' callable shape, and the runner's JSON-ready result."""

from __future__ import annotations

from pathlib import Path

import pytest

from okf.bench import DatasetError, PeerUnavailableError, get_peer, load_dataset, run_benchmark
from okf.models.base import ModelRegistry
from okf.models.statistical import StatisticalModel


def test_load_dataset_sorts_by_id_and_skips_docs_without_keys(tiny_dataset: Path) -> None:
    data = load_dataset(tiny_dataset)
    assert [s.doc_id for s in data.samples] == ["a", "b"]
    assert data.samples[1].keys == ("query optimization", "cost models", "query planning")
    assert [s.doc_id for s in load_dataset(tiny_dataset, max_docs=1).samples] == ["a"]
    assert data.language is None


def test_declared_language_is_read(tiny_dataset: Path) -> None:
    (tiny_dataset / "language.txt").write_text("portuguese\n")
    assert load_dataset(tiny_dataset).language == "pt"


def test_a_folder_without_the_layout_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError):
        load_dataset(tmp_path)


def test_runner_scores_model_and_peer(tiny_dataset: Path) -> None:
    pytest.importorskip("multi_rake")
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    result = run_benchmark(load_dataset(tiny_dataset), registry, peers=["multi-rake"])
    assert result["model"] == "statistical" and result["n_docs"] == 2
    assert result["language"] == "en"
    assert result["f1@10"] > 0  # both documents' main term is found
    assert result["docs_per_s"] > 0
    peer = result["peers"]["multi-rake"]
    assert set(peer) >= {"f1@5", "f1@10", "docs_per_s", "version"}
    assert set(result["ratios"]["multi-rake"]) == {"f1@5", "f1@10", "docs_per_s", "cpu_docs_per_s"}
    assert result["cpu_docs_per_s"] > 0


def test_batched_runs_score_like_one_document_per_call(tiny_dataset: Path) -> None:
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    dataset = load_dataset(tiny_dataset)
    single = run_benchmark(dataset, registry)
    batched = run_benchmark(dataset, registry, batch=2)
    assert (single["batch"], batched["batch"]) == (1, 2)
    for key in ("f1@5", "f1@10", "p@10", "r@10", "n_docs"):
        assert batched[key] == single[key], key


@pytest.mark.parametrize("name", ["yake", "multi-rake"])
def test_peers_share_one_callable_shape(name: str) -> None:
    pytest.importorskip(name.replace("-", "_"))
    extract = get_peer(name).load()
    phrases = extract("Keyword extraction ranks phrases. Keyword extraction is useful.", "en", 5)
    assert isinstance(phrases, list) and 1 <= len(phrases) <= 5
    assert all(isinstance(p, str) for p in phrases)


def test_unknown_peer_names_the_valid_ones() -> None:
    with pytest.raises(PeerUnavailableError, match="multi-rake"):
        get_peer("keybart")
