"""``okf extract`` and ``okf bench``: output formats, and one clean line per bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from okf.cli import main
from okf.text import MAX_CHARS

TEXT = (
    "A otimização de consultas é essencial para bases de dados. As otimizações de "
    "consultas reduzem custos de processamento. A otimização de consultas usa índices."
)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_extract_table(text_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["extract", str(text_file), "--model", "statistical", "--top", "3"], capsys
    )
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["#", "phrase"]
    assert len(lines) == 1 + 3 + 1
    assert "language=pt" in lines[-1]


def test_extract_json_from_stdin_has_exact_offsets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_stdin(monkeypatch, TEXT.encode())
    code, out, _ = run(["extract", "-", "--format", "json", "--model", "graph"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["model"] == "graph" and payload["language"] == "pt"
    assert 1 <= len(payload["keywords"]) <= 10
    for kw in payload["keywords"]:
        for start, end in kw["offsets"]:
            assert " ".join(TEXT[start:end].split()) in kw["variants"]


def test_extract_csv(text_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["extract", str(text_file), "--format", "csv", "--top", "2", "--model", "statistical"],
        capsys,
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows[0] == ["rank", "phrase", "score", "count", "offsets", "variants"]
    assert len(rows) == 3 and rows[1][0] == "1"


def _bad(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "bad.txt"
    contents = {
        "empty": b"",
        "whitespace": b"  \n\t \r\n",
        "invalid-utf8": "olá".encode("latin-1") + b" mundo",
        "binary": bytes(range(256)) * 4,
        "no-candidate": b"the of and 123 , 4.5 a",
    }
    if name == "ten-megabytes":
        path.write_bytes(b"palavra " * (10 * 1024 * 1024 // 8))
    else:
        path.write_bytes(contents[name])
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("empty", "empty"),
        ("whitespace", "empty"),
        ("invalid-utf8", "UTF-8"),
        ("binary", "UTF-8"),
        ("ten-megabytes", f"{MAX_CHARS:,}"),
        ("no-candidate", "no keyword candidate"),
    ],
)
def test_bad_input_gives_one_line_and_non_zero_exit(
    name: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", str(_bad(tmp_path, name)), "--model", "statistical"], capsys)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["extract", "/nonexistent/file.txt"],
        ["extract", "{file}", "--model", "no-such-model"],
        ["extract", "{file}", "--top", "0"],
        ["extract", "{file}", "--diversity", "1.5"],
        ["extract", "{file}", "--diversity", "nan"],
        ["bench", "--dataset", "/nonexistent/dataset"],
        ["bench", "--dataset", "/nonexistent/dataset", "--batch", "0"],
    ],
)
def test_user_errors_are_one_line(
    argv: list[str], text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([a.replace("{file}", str(text_file)) for a in argv], capsys)
    assert code == 1
    assert err.count("\n") == 1 and "error" in err


def test_unsupported_language_is_a_usage_error(
    text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["extract", str(text_file), "--lang", "fr"])
    assert info.value.code == 2
    assert "auto" in capsys.readouterr().err


def test_bench_last_line_is_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs, keys = tmp_path / "docsutf8", tmp_path / "keys"
    docs.mkdir()
    keys.mkdir()
    (docs / "1.txt").write_text(TEXT, encoding="utf-8")
    (keys / "1.key").write_text("otimização de consultas\nbases de dados\n", encoding="utf-8")
    code, out, err = run(["bench", "--dataset", str(tmp_path), "--model", "statistical"], capsys)
    assert code == 0
    assert err == ""  # no progress bar when stderr is not a terminal
    result = json.loads(out.splitlines()[-1])
    for key in ("dataset", "model", "n_docs", "f1@5", "f1@10", "p@10", "r@10", "docs_per_s"):
        assert key in result
    assert result["n_docs"] == 1 and result["language"] == "pt"
    assert "statistical" in out.splitlines()[2]


def test_console_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "okf.cli", "extract", "-", "--model", "statistical", "--top", "2"],
        input="Keyword extraction ranks phrases. Keyword extraction helps search.",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Keyword extraction" in proc.stdout
