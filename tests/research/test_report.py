"""A whole research run on small hand-written sites: every table, exports, CLI, telemetry."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from okf.cli import main
from okf.extraction import build_extractor
from okf.research.export import SHEETS, tables, write_report
from okf.research.feed import FeedStats, inline_results, read_records
from okf.research.pipeline import ResearchOptions, build_report
from okf.research.telemetry import ResearchTelemetry
from tests.research.corpus import THEIRS, YOURS


def write_site(root: Path, pages: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("sites")
    return write_site(base / "yours", YOURS), write_site(base / "theirs", THEIRS)


@pytest.fixture(scope="module")
def report(sites: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    yours, theirs = sites
    extractor = build_extractor()
    telemetry = ResearchTelemetry()
    extractor.registry.add_observer(telemetry.observe)
    options = ResearchOptions(model="statistical", encoders={})
    feed = inline_results(read_records(str(yours)), extractor, options, FeedStats())
    rival = inline_results(read_records(str(theirs)), extractor, options, FeedStats())
    built = build_report(feed, options, telemetry, competitor=rival)
    built.telemetry = telemetry  # type: ignore[attr-defined]
    return built


def rows_of(report, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return tables(report)[name]


def test_keyword_table_merges_variants_across_pages(report) -> None:  # type: ignore[no-untyped-def]
    rows = {r["phrase"].lower(): r for r in rows_of(report, "keywords")}
    seo = rows["seo técnico"]
    assert seo["documents"] == 2
    assert set(seo["best_documents"].split(" | ")) == {"seo-tecnico.md", "checklist-seo.md"}
    notebook = next(r for p, r in rows.items() if p in ("notebook", "notebooks"))
    assert {"notebook", "notebooks"} <= {v.lower() for v in notebook["variants"].split(" | ")}
    assert all(r["language"] == "pt" for r in rows.values())
    scores = [r["corpus_score"] for r in rows_of(report, "keywords")]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0


def test_intent_is_filled_for_every_keyword(report) -> None:  # type: ignore[no-untyped-def]
    rows = rows_of(report, "keywords")
    assert all(r["intent"] and r["funnel"] and r["intent_reason"] for r in rows)
    by_phrase = {r["phrase"].lower(): r for r in rows}
    barato = [r for p, r in by_phrase.items() if "barato" in p]
    assert barato and all(r["intent"] == "transactional" for r in barato)


def test_cannibalization_names_both_seo_pages(report) -> None:  # type: ignore[no-untyped-def]
    found = {r["phrase"].lower(): r for r in rows_of(report, "cannibalization")}
    assert "seo técnico" in found
    ranks = found["seo técnico"]["ranks"]
    assert "seo-tecnico.md" in ranks and "checklist-seo.md" in ranks


def test_gap_finds_competitor_topics_absent_here(report) -> None:  # type: ignore[no-untyped-def]
    gap = rows_of(report, "gap")
    absent = {g["phrase"].lower() for g in gap if g["status"] == "absent"}
    assert "monitor ultrawide" in absent
    assert any("teclado" in p for p in absent)
    assert not any("seo" in p for p in absent)
    monitor = next(g for g in gap if g["phrase"].lower() == "monitor ultrawide")
    assert "monitor-ultrawide.md" in monitor["competitor_documents"]
    assert [g["gap"] for g in gap] == sorted((g["gap"] for g in gap), reverse=True)


def test_questions_come_with_their_documents(report) -> None:  # type: ignore[no-untyped-def]
    questions = {q["question"]: q for q in rows_of(report, "questions")}
    assert "O que é SEO técnico?" in questions
    assert questions["Por que os links internos importam?"]["document_list"] == "checklist-seo.md"


def test_clusters_and_page_map(report) -> None:  # type: ignore[no-untyped-def]
    clusters = rows_of(report, "clusters")
    assert clusters and all(c["size"] >= 1 and c["head"] for c in clusters)
    keyword_clusters = {r["cluster"] for r in rows_of(report, "keywords")}
    assert {c["cluster"] for c in clusters} == keyword_clusters - {-1}
    pages = {p["head"].lower(): p for p in rows_of(report, "pages")}
    seo_cluster = next(p for h, p in pages.items() if "seo" in h)
    assert seo_cluster["owner"] in ("seo-tecnico.md", "checklist-seo.md")


def test_predictions_are_counted_per_model(report) -> None:  # type: ignore[no-untyped-def]
    telemetry = report.telemetry
    assert telemetry.predictions[("statistical", "ok")] == 2  # one chunk per corpus
    assert {"extract", "aggregate", "intent", "cluster", "gap"} <= set(telemetry.stage_seconds)
    text = telemetry.metrics.render(None)[0].decode()
    assert 'model_predictions_total{model="statistical",status="ok"} 2.0' in text


def test_exports_open_back(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written = write_report(report, tmp_path / "out")
    book = load_workbook(written["xlsx"])
    assert book.sheetnames == list(SHEETS)
    sheet = book["keywords"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["phrase", "corpus_score", "documents"]
    assert sheet.max_row == len(report.yours.keywords) + 1
    assert 8 <= sheet.column_dimensions["A"].width <= 60
    summary = {r[0].value: r[1].value for r in book["summary"].iter_rows(min_row=2)}
    assert summary["documents"] == len(YOURS) and summary["competitor_documents"] == len(THEIRS)
    data = json.loads(written["json"].read_text(encoding="utf-8"))
    assert set(data) == set(SHEETS)
    assert (tmp_path / "out" / "gap.csv").read_text(encoding="utf-8").startswith("kind,phrase")


def test_cli_end_to_end(sites, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from okf.commands import research as command
    from okf.monitoring.logging import configure_logging

    logs = io.StringIO()  # a stream of ours: the test's captured stderr is closed afterwards
    monkeypatch.setattr(command, "_configure_logs", lambda: configure_logging(stream=logs))
    yours, theirs = sites
    out = tmp_path / "report"
    code = main(
        ["research", str(yours), "-o", str(out), "--compare", str(theirs),
         "--model", "statistical", "--no-vectors", "--brand", "Loja Zeta"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "documents: 4" in captured.out and "gap_rows:" in captured.out
    events = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    run = [e for e in events if e.get("message") == "research_run"]
    assert len(run) == 1 and run[0]["documents"] == 4
    # the batch engine's workers make one model call per document, both corpora counted
    assert run[0]["predictions"] == {"statistical:ok": 8}
    assert (out / "report.xlsx").is_file() and (out / "keywords.csv").is_file()
    inline = tmp_path / "inline"
    assert main(["research", str(yours), "-o", str(inline), "--engine", "inline",
                 "--model", "statistical", "--no-vectors"]) == 0  # fmt: skip
    same = (inline / "keywords.csv").read_text(encoding="utf-8")
    assert (
        same.splitlines()[:5] == (out / "keywords.csv").read_text(encoding="utf-8").splitlines()[:5]
    )


def test_html_pages_give_their_question_headings(tmp_path: Path) -> None:
    from okf.research.feed import FeedStats, inline_results, read_records

    site = tmp_path / "html"
    site.mkdir()
    (site / "a.html").write_text(
        "<html><body><h2>Como escolher um monitor ultrawide?</h2><p>O monitor ultrawide "
        "mostra duas janelas. Um monitor ultrawide curvo cansa menos.</p></body></html>",
        encoding="utf-8",
    )
    extractor = build_extractor()
    options = ResearchOptions(model="statistical", encoders={})
    results = list(inline_results(read_records(str(site)), extractor, options, FeedStats()))
    assert results[0].questions == ("Como escolher um monitor ultrawide?",)
    assert all("<" not in k.phrase for k in results[0].keywords)


def test_cli_bad_input_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["research", str(tmp_path / "missing"), "-o", str(tmp_path / "o")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["research", str(empty), "-o", str(tmp_path / "o"), "--model", "statistical"]) == 1
    assert "no readable documents" in capsys.readouterr().err
