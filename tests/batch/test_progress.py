"""Progress: a rich bar on a terminal, plain lines elsewhere, and the end summary."""

from __future__ import annotations

import io
from collections import Counter

from okf.batch.progress import ProgressView, Summary


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_rich_bar_with_docs_per_second() -> None:
    screen = Terminal()
    view = ProgressView(100, stream=screen)
    view.advance(40, 1)
    view.close()
    text = screen.getvalue()
    assert "40/100" in text and "docs/s" in text and "ETA" in text


def test_a_pipe_gets_one_plain_line_per_step() -> None:
    pipe = io.StringIO()
    view = ProgressView(None, every=10, stream=pipe)
    for _ in range(7):
        view.advance(4, 0)  # 28 documents: lines at 10 and 20 (the steps crossed)
    view.close()
    lines = pipe.getvalue().splitlines()
    assert [line.split(" documents")[0] for line in lines] == ["okf batch: 12", "okf batch: 20"]
    assert all("docs/s" in line and "ETA" not in line for line in lines)  # no total: no ETA


def test_summary_names_errors_by_reason_and_rate() -> None:
    summary = Summary(
        "b1",
        "local",
        documents=10,
        skipped=2,
        errors=Counter({"empty": 2, "binary": 1}),
        wall_s=2.0,
    )
    text = summary.render()
    assert "10 documents (2 skipped" in text and "binary 1, empty 2" in text
    assert "5.0 docs/s" in text
    assert summary.as_dict()["errors"] == {"binary": 1, "empty": 2}
