"""Readers turn every input kind into the same records; writers commit parts atomically."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from okf.batch.readers import (
    InputError,
    count_records,
    input_kind,
    read_jsonl,
    read_records,
)
from okf.batch.work import BatchJob, Worker
from okf.batch.writers import OutputError, PartWriter, read_rows
from okf.extraction import ExtractionOptions

from .corpus import EN, PT, write_folder


def test_folder_is_read_recursively_with_relative_ids_and_content_types(tmp_path: Path) -> None:
    expected = write_folder(tmp_path)
    records = list(read_records(str(tmp_path)))
    assert sorted(r["id"] for r in records) == sorted(expected)
    assert count_records(str(tmp_path)) == len(expected)
    types = {r["id"]: r["content_type"] for r in records}
    assert types["news/b.md"] == "text/markdown"
    assert types["news/2024/c.html"] == "text/html"
    assert types["a.txt"] == "text/plain"
    assert all(isinstance(r["data"], bytes) for r in records)


def test_jsonl_lines_become_records_or_error_records() -> None:
    data = (
        b'{"id": 7, "text": "hello world", "lang": "en", "url": "https://x.example/a"}\n'
        b"\n"
        b"{not json\n"
        b'{"id": "no-text"}\n'
        b'["a list"]\n'
        b'{"text": "no id here"}\n'
        b'{"id": "x", "text": "caf\xe9"}\n'
    )
    records = list(read_jsonl(io.BytesIO(data)))
    assert records[0] == {
        "id": "7",
        "text": "hello world",
        "lang": "en",
        "url": "https://x.example/a",
    }
    assert records[1]["id"] == "line 3" and records[1]["reason"] == "invalid"
    assert records[2]["id"] == "no-text" and records[2]["reason"] == "invalid"
    assert records[3]["id"] == "line 5" and records[3]["reason"] == "invalid"
    assert records[4] == {"id": "line 6", "text": "no id here"}
    assert records[5]["reason"] == "undecodable"
    assert len(records) == 6  # the blank line is no document


def test_csv_and_parquet_give_the_same_records_as_jsonl(tmp_path: Path) -> None:
    rows = [
        {"id": "p1", "text": PT, "title": "Consultas", "lang": "pt"},
        {"id": "e1", "text": f'{EN}\nSecond line, with a "quote".', "title": None, "lang": None},
    ]
    csv_path = tmp_path / "in.csv"
    pa_table = pa.Table.from_pylist(rows)
    import csv

    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["id", "text", "title", "lang"])
        writer.writeheader()
        writer.writerows({k: v or "" for k, v in r.items()} for r in rows)
    pq.write_table(pa_table, tmp_path / "in.parquet")
    from_csv = list(read_records(str(csv_path)))
    from_parquet = list(read_records(str(tmp_path / "in.parquet")))
    assert from_csv == from_parquet
    assert from_csv[0] == {"id": "p1", "text": PT, "title": "Consultas", "lang": "pt"}
    assert from_csv[1]["text"].endswith('"quote".')
    assert count_records(str(tmp_path / "in.parquet")) == 2


def test_a_bad_byte_in_a_csv_spoils_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,text\na,good text here\nb,bad \xff byte\nc,more good text\n")
    worker = Worker(
        BatchJob(batch_id="t", options=ExtractionOptions(model="statistical")), configure_logs=False
    )
    rows = [worker.run_one(r) for r in read_records(str(path))]
    assert [(r["id"], r["error"]) for r in rows] == [("a", None), ("b", "undecodable"), ("c", None)]


def test_stdin_is_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b'{"id": "s", "text": "stdin text"}\n'))
    monkeypatch.setattr(sys, "stdin", fake)
    assert list(read_records("-")) == [{"id": "s", "text": "stdin text"}]


def test_unknown_or_missing_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        input_kind(str(tmp_path / "missing.jsonl"))
    (tmp_path / "x.docx").write_bytes(b"")
    with pytest.raises(InputError, match="unknown input type"):
        input_kind(str(tmp_path / "x.docx"))
    (tmp_path / "no_text.csv").write_text("id,body\n1,hello\n")
    with pytest.raises(InputError, match="'text' column"):
        list(read_records(str(tmp_path / "no_text.csv")))


def _row(i: int) -> dict[str, object]:
    kw = {"phrase": f"p{i}", "score": 0.5, "count": 1, "offsets": [[0, 2]], "variants": ["p"]}
    return {"id": f"d{i}", "language": "en", "model": "m", "model_version": "1", "keywords": [kw]}


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_parts_are_committed_whole_and_merged_in_order(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    writer = PartWriter(out, part_rows=3)
    writer.write([_row(i) for i in range(7)])
    parts = sorted(p.name for p in writer.parts_dir.iterdir())
    assert parts == [f"part-000000{suffix}", f"part-000001{suffix}"]  # 6 rows; 1 held
    assert not out.exists()
    writer.finish()
    assert not writer.parts_dir.exists()
    rows = read_rows(out)
    assert [r["id"] for r in rows] == [f"d{i}" for i in range(7)]
    assert rows[0]["keywords"] == _row(0)["keywords"] and rows[0]["error"] is None


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_resume_reads_committed_ids_and_drops_half_written_parts(
    tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"out{suffix}"
    first = PartWriter(out, part_rows=2)
    first.write([_row(i) for i in range(5)])  # 2 parts committed, 1 row lost (a crash)
    (first.parts_dir / f"part-000002{suffix}.tmp").write_bytes(b"half a part")
    with pytest.raises(OutputError, match="--resume"):
        PartWriter(out)
    second = PartWriter(out, resume=True, part_rows=2)
    assert second.written_ids() == {"d0", "d1", "d2", "d3"}
    assert not list(second.parts_dir.glob("*.tmp"))
    second.write([_row(4), _row(5)])
    second.finish()
    assert sorted(r["id"] for r in read_rows(out)) == [f"d{i}" for i in range(6)]
    # A finished output can be resumed too (nothing to add): it is kept whole.
    third = PartWriter(out, resume=True)
    assert len(third.written_ids()) == 6
    third.finish()
    assert len(read_rows(out)) == 6


def test_overwrite_starts_again_and_unknown_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    writer = PartWriter(out)
    writer.write([_row(1)])
    writer.finish()
    again = PartWriter(out, overwrite=True)
    again.finish()
    assert read_rows(out) == []
    with pytest.raises(OutputError, match=r"\.jsonl or \.parquet"):
        PartWriter(tmp_path / "out.csv")
