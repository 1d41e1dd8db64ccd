"""Research uploads parsed in memory: every accepted form, and every bad input a clear
4xx (zip bomb, paths escaping the archive, binary, non-UTF-8 CSV, no documents)."""

from __future__ import annotations

import io
import json

import pytest

from okf.service.uploads import Budget, UploadError, parse_submission

from .support import zipped

MB = 1_048_576


def budget(max_bytes: int = 5 * MB, max_documents: int = 100) -> Budget:
    return Budget(max_bytes, max_documents)


def multipart(fields: list[tuple[str, str | None, bytes]]) -> tuple[str, bytes]:
    boundary = "okfboundary7"
    out = io.BytesIO()
    for name, filename, data in fields:
        out.write(f"--{boundary}\r\n".encode())
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"Content-Disposition: {disp}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


def refused(content_type: str, body: bytes, **kw) -> UploadError:
    with pytest.raises(UploadError) as info:
        parse_submission(content_type, body, budget(**kw))
    return info.value


def test_json_documents_options_and_metrics():
    body = json.dumps(
        {
            "documents": [{"id": "a", "text": "Café coado em casa.", "url": "https://x/a"}],
            "compare": [{"text": "Moedor de café manual."}],
            "options": {"top_n": 5},
            "metrics": {"name": "gsc.csv", "content": "Query,Clicks\ncafé,3\n"},
        }
    ).encode()
    up = parse_submission("application/json", body, budget())
    assert up.documents == [{"id": "a", "text": "Café coado em casa.", "url": "https://x/a"}]
    assert up.compare == [{"id": "compare[0]", "text": "Moedor de café manual."}]
    assert up.options == {"top_n": 5} and up.metrics == (
        "gsc.csv",
        b"Query,Clicks\ncaf\xc3\xa9,3\n",
    )


def test_multipart_files_zip_jsonl_csv_and_options():
    archive = zipped(
        {
            "site/a.md": b"# Guia do caf\xc3\xa9\nComo moer.",
            "site/b.html": b"<h1>Ch\xc3\xa1</h1><script>x()</script><p>Ch\xc3\xa1 verde.</p>",
            "site/": b"",
        }
    )
    jsonl = b'{"id": "j1", "text": "Texto um."}\n\n{"id": "j2", "text": "Texto dois."}\n'
    csv_data = "id,text,url\nc1,Texto em CSV com acentuação,https://x/c1\n".encode()
    ctype, body = multipart(
        [
            ("files", "site.zip", archive),
            ("files", "docs.jsonl", jsonl),
            ("compare", "rivals.csv", csv_data),
            ("metrics", "gsc.csv", b"Query,Clicks\n"),
            ("options", None, b'{"vectors": false}'),
        ]
    )
    up = parse_submission(ctype, body, budget())
    assert [d["id"] for d in up.documents] == ["site/a.md", "site/b.html", "j1", "j2"]
    assert up.documents[0]["title"] == "Guia do café"
    assert "x()" not in up.documents[1]["text"] and "Chá verde." in up.documents[1]["text"]
    assert up.compare == [
        {"id": "c1", "text": "Texto em CSV com acentuação", "url": "https://x/c1"}
    ]
    assert up.metrics == ("gsc.csv", b"Query,Clicks\n") and up.options == {"vectors": False}


def test_zip_bomb_is_stopped_at_the_budget_whatever_the_headers_say():
    bomb = zipped({"big.txt": b"a" * (20 * MB)})  # ~20 KB on the wire
    assert len(bomb) < 100_000
    ctype, body = multipart([("files", "bomb.zip", bomb)])
    err = refused(ctype, body, max_bytes=2 * MB)
    assert err.status == 413 and "exceeds" in str(err)


@pytest.mark.parametrize(
    "name", ["../evil.txt", "a/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"]
)
def test_zip_paths_escaping_the_folder_are_refused(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ctype, body = multipart([("files", "slip.zip", zipped({name: b"texto"}))])
    err = refused(ctype, body)
    assert err.status == 422 and "outside" in str(err)
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


def test_binary_file_is_refused_by_name():
    ctype, body = multipart([("files", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")])
    err = refused(ctype, body)
    assert err.status == 422 and "image.txt" in str(err) and "binary" in str(err)


def test_non_utf8_csv_is_refused_with_the_fix():
    data = "id,text\n1,Café com açúcar\n".encode("latin-1")
    ctype, body = multipart([("files", "pages.csv", data)])
    err = refused(ctype, body)
    assert err.status == 422 and "pages.csv" in str(err) and "UTF-8" in str(err)


@pytest.mark.parametrize(
    "body",
    [
        b'{"documents": []}',
        b'{"documents": [], "compare": [{"text": "x"}]}',
    ],
)
def test_no_documents_is_422(body):
    err = refused("application/json", body)
    assert err.status == 422 and "no documents" in str(err)


def test_empty_zip_is_zero_documents():
    ctype, body = multipart([("files", "empty.zip", zipped({}))])
    assert refused(ctype, body).status == 422


def test_unknown_fields_and_file_types_are_named():
    assert "colour" in str(refused("application/json", b'{"documents": [], "colour": 1}'))
    ctype, body = multipart([("files", "deck.pptx", b"PK\x03\x04")])
    assert "unsupported file type" in str(refused(ctype, body))
    ctype, body = multipart([("surprise", None, b"x")])
    assert "surprise" in str(refused(ctype, body))


def test_too_many_documents_is_413():
    docs = [{"text": f"texto {i}"} for i in range(11)]
    err = refused("application/json", json.dumps({"documents": docs}).encode(), max_documents=10)
    assert err.status == 413


def test_nested_zip_and_bad_documents():
    ctype, body = multipart(
        [("files", "outer.zip", zipped({"inner.zip": zipped({"a.txt": b"x"})}))]
    )
    assert "zip inside a zip" in str(refused(ctype, body))
    assert "text" in str(refused("application/json", b'{"documents": [{"title": "no text"}]}'))
    assert refused("text/plain", b"hello").status == 415
