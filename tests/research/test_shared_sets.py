"""Research on real posts: the shared blogs sets (Markdown as their authors wrote it).

Skips, naming the set, when ../shared/datasets is not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from okf.extraction import build_extractor
from okf.research.export import tables
from okf.research.feed import FeedStats, inline_results, read_records
from okf.research.pipeline import ResearchOptions, build_report
from okf.research.telemetry import ResearchTelemetry

DATASETS = Path(__file__).parents[2] / ".." / "shared" / "datasets"


def raw_set(name: str) -> Path:
    folder = DATASETS / name / "raw"
    if not folder.is_dir():
        pytest.skip(f"shared dataset missing: {name} (looked in {folder})")
    return folder


@pytest.fixture(scope="module")
def report_pt():  # type: ignore[no-untyped-def]
    folder = raw_set("blogs-pt-dev")
    rival = raw_set("blogs-en-dev")
    options = ResearchOptions(model="statistical", encoders={})
    extractor = build_extractor()
    stats = FeedStats()
    mine = inline_results(read_records(str(folder)), extractor, options, stats)
    theirs = inline_results(read_records(str(rival)), extractor, options, FeedStats())
    report = build_report(mine, options, ResearchTelemetry(), competitor=theirs)
    return tables(report), stats


def test_every_table_on_real_posts(report_pt) -> None:  # type: ignore[no-untyped-def]
    data, stats = report_pt
    assert stats.documents == 20 and not stats.skipped
    keywords = data["keywords"]
    assert len(keywords) > 100
    assert {k["language"] for k in keywords} == {"pt"}
    assert all(k["intent"] and k["funnel"] for k in keywords)
    assert any(len(k["variants"].split(" | ")) >= 2 for k in keywords[:50])  # forms merged
    assert keywords[0]["documents"] >= 2  # the top of the table spans pages
    assert data["clusters"] and all(c["size"] >= 1 for c in data["clusters"])
    owners = {p["owner"] for p in data["pages"]}
    assert owners and all(o.endswith(".md") for o in owners)
    assert data["questions"] and all(q["question"].endswith("?") for q in data["questions"])
    gap = data["gap"]
    assert gap and all(g["status"] in ("absent", "weak") for g in gap)
    summary = {s["item"]: s["value"] for s in data["summary"]}
    assert summary["documents"] == 20 and summary["competitor_documents"] == 15
