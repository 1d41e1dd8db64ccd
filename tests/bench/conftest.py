"""Where the shared datasets are: ``../shared/datasets`` from the repo, or $OKF_DATASETS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def datasets_root() -> Path:
    return Path(os.environ.get("OKF_DATASETS") or REPO.parent / "shared" / "datasets")


@pytest.fixture
def dataset_dir():  # type: ignore[no-untyped-def]
    """The path of a named shared dataset; skips (naming it) when it is absent."""

    def find(name: str) -> Path:
        path = datasets_root() / name
        if not (path / "docsutf8").is_dir():
            pytest.skip(f"dataset {path} is absent (set OKF_DATASETS to its parent folder)")
        return path

    return find


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """A two-document dataset in the shared layout."""
    docs, keys = tmp_path / "docsutf8", tmp_path / "keys"
    docs.mkdir()
    keys.mkdir()
    (docs / "b.txt").write_text(
        "Query optimization in relational databases. Query optimization uses cost models "
        "and index selection for relational databases.",
        encoding="utf-8",
    )
    (keys / "b.key").write_text("query optimization\ncost models\nquery planning\n")
    (docs / "a.txt").write_text(
        "Keyword extraction for scientific abstracts. Keyword extraction ranks candidate "
        "phrases with statistical features.",
        encoding="utf-8",
    )
    (keys / "a.key").write_text("keyword extraction\nstatistical features\n")
    (docs / "orphan.txt").write_text("A document without keys.", encoding="utf-8")
    return tmp_path
