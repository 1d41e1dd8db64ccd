"""Web-content figures: present-tag recall, topic@5 and junk@10, on texts written here."""

from __future__ import annotations

from pathlib import Path

from okf.bench import load_dataset, run_benchmark
from okf.bench.content import ContentScorer, contains, stem_sequence
from okf.models.base import ModelRegistry
from okf.models.statistical import StatisticalModel

TEXT = (
    "Como escolher um notebook para programação\n\n"
    "Escolher um notebook para programação exige atenção à memória e ao processador. "
    "A memória RAM pesa mais que a tela."
)
TITLE = "Como escolher um notebook para programação"


def test_tags_present_in_the_text_are_stem_matched_in_order() -> None:
    body = stem_sequence(TEXT, "pt")
    assert contains(body, stem_sequence("notebook para programações", "pt"))
    assert not contains(body, stem_sequence("programação para notebook", "pt"))
    assert not contains(body, stem_sequence("placa de vídeo", "pt"))


def test_present_recall_topic_and_junk() -> None:
    scorer = ContentScorer("pt")
    gold = ["notebook para programação", "memória", "placa de vídeo"]
    predictions = ["notebook para programação", "escolher", "325º", "tela", "processador"]
    scorer.add(predictions, gold, TEXT, TITLE)
    figures = scorer.figures()
    assert figures["present_tags"] == 2  # "placa de vídeo" is not in the text
    assert figures["present_r@10"] == 50.0  # "memória" was not predicted
    assert figures["topic_docs"] == 1 and figures["topic@5"] == 100.0
    assert figures["junk@10"] == 40.0  # a lone verb and an ordinal among five phrases


def test_the_topic_missed_counts_against_topic_at_5() -> None:
    scorer = ContentScorer("pt")
    scorer.add(["memória", "tela"], ["notebook para programação"], TEXT, TITLE)
    assert scorer.figures()["topic@5"] == 0.0


def test_a_set_with_titles_and_markdown_gets_content_figures(tmp_path: Path) -> None:
    for folder in ("docsutf8", "keys", "title", "raw"):
        (tmp_path / folder).mkdir()
    (tmp_path / "docsutf8" / "p1.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "keys" / "p1.key").write_text("notebook para programação\nmemória\n")
    (tmp_path / "title" / "p1.txt").write_text(TITLE + "\n", encoding="utf-8")
    markdown = f"# {TITLE}\n\nEscolher um **notebook para programação** exige [memória](x.html).\n"
    (tmp_path / "raw" / "p1.md").write_text(markdown, encoding="utf-8")
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    plain = run_benchmark(load_dataset(tmp_path), registry, language="pt")
    assert {"present_r@10", "topic@5", "junk@10"} <= set(plain)
    assert plain["input_format"] == "text"
    dataset = load_dataset(tmp_path, markdown=True)
    assert dataset.samples[0].title == TITLE and dataset.samples[0].raw == markdown
    marked = run_benchmark(dataset, registry, language="pt")
    assert marked["input_format"] == "markdown" and marked["present_tags"] == 2
