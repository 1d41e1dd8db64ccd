"""The web pages over the app (no browser): headers, escaping, CSRF, keys, limits,
marks at the model's offsets, vendored files, metrics and traces with route templates.

The browser tests (tests/web/) check what runs in the page; these check the server.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from okf.service.web.highlight import CHUNK, block_lines, blocks, marked_html, segments
from okf.service.web.security import CSP, CSRF_COOKIE
from okf.service.web.vendor import VENDOR_DIR, vendored

HOSTILE = (
    'Gatos <script>window.__pwned = 1</script> e <img src=x onerror="window.__pwned=2"> '
    "cachorros. Gatos dormem, cachorros brincam; gatos e cachorros são animais de estimação."
)


class _Tags(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def post_form(client: TestClient, headers: dict[str, str] | None = None, **fields: str) -> Any:
    page = client.get("/")
    token = client.cookies.get(CSRF_COOKIE)
    assert token and f'value="{token}"' in page.text
    return client.post("/web/extract", data={"csrf_token": token, **fields}, headers=headers or {})


def test_the_page_is_served_with_a_strict_policy_and_no_inline_code(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert csp == CSP and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    found = tags(page.text)
    scripts = [a for t, a in found if t == "script"]
    assert scripts and all(a.get("src", "").startswith("/static/") for a in scripts)
    assert not [t for t, a in found if "style" in a or any(k.startswith("on") for k in a)]
    assert "<style" not in page.text
    # The models of the registry are offered, the default one chosen.
    assert '<option value="wordcount" selected>' in page.text


def test_every_page_asset_is_served_from_this_origin(client: TestClient) -> None:
    found = tags(client.get("/").text)
    urls = [a.get("src") or a.get("href") for t, a in found if t in ("script", "link")]
    for url in urls:
        assert url is not None
        if url.startswith("data:"):
            continue
        assert url.startswith("/static/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["x-content-type-options"] == "nosniff"


def test_vendored_files_match_their_recorded_integrity() -> None:
    rows = vendored()
    assert "htmx.min.js" in rows and rows["htmx.min.js"].package == "htmx.org"
    for row in rows.values():
        digest = hashlib.sha384((VENDOR_DIR / row.file).read_bytes()).digest()
        assert row.integrity == "sha384-" + base64.b64encode(digest).decode(), row.file
        assert re.fullmatch(r"\d+\.\d+\.\d+", row.version), row.version


def test_the_page_pins_htmx_by_its_integrity(client: TestClient) -> None:
    found = tags(client.get("/").text)
    htmx = next(a for t, a in found if t == "script" and "htmx" in (a.get("src") or ""))
    assert htmx["integrity"] == vendored()["htmx.min.js"].integrity


def test_results_mark_every_occurrence_at_the_models_offsets(client: TestClient) -> None:
    text = "Gatos e cachorros. Gatos dormem; cachorros brincam. Gatos!"
    response = post_form(client, text=text, top_n="3", language="pt")
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"] == CSP
    api = client.post("/v1/keywords/extract", json={"text": text, "top_n": 3, "language": "pt"})
    keywords = api.json()["keywords"]
    doc = re.search(r'<pre id="doc"[^>]*>(.*?)</pre>', response.text, re.S)
    assert doc is not None
    marked: dict[int, list[str]] = {}
    for keys, inner in re.findall(r'<mark data-k="([\d ]+)">(.*?)</mark>', doc.group(1)):
        for k in keys.split():
            marked.setdefault(int(k), []).append(inner)
    for k, kw in enumerate(keywords):  # the same keywords as the API, in the same order
        assert f'data-k="{k}" aria-describedby="kw-help">{kw["phrase"]}</button>' in response.text
        assert marked[k] == [text[s:e] for s, e in kw["offsets"]]
    # Removing the marks gives back the text.
    assert re.sub(r"</?(mark|span)[^>]*>", "", doc.group(1)) == text


def test_hostile_text_comes_back_escaped(client: TestClient) -> None:
    response = post_form(client, text=HOSTILE)
    assert response.status_code == 200, response.text
    assert "<script>window" not in response.text and "<img" not in response.text
    assert "&lt;script&gt;" in response.text or "&lt;<mark" in response.text
    found = tags(response.text)
    assert not [t for t, a in found if t == "script"]
    assert not [t for t, a in found if any(k.startswith("on") for k in a)]
    data = re.search(r'<pre hidden id="okf-result">(.*?)</pre>', response.text, re.S)
    assert data is not None and "<" not in data.group(1)
    assert json.loads(html.unescape(data.group(1)))["keywords"]


def test_intent_is_given_for_each_keyword(client: TestClient) -> None:
    response = post_form(client, text="comprar tênis barato. comprar tênis. preço do tênis.")
    assert response.status_code == 200
    assert re.findall(r'class="intent intent-(\w+)"', response.text)


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/")
    for data in ({"text": "gatos"}, {"text": "gatos", "csrf_token": "x" * 43}):
        response = client.post("/web/extract", data=data)
        assert response.status_code == 403
        assert response.json()["type"].endswith(":csrf")
    fresh = TestClient(client.app)  # no cookie at all
    assert fresh.post("/web/extract", data={"text": "a", "csrf_token": "a"}).status_code == 403


def test_bad_fields_are_422_naming_the_field(client: TestClient) -> None:
    for field, value in (("top_n", "0"), ("top_n", "x"), ("diversity", "2"), ("language", "fr")):
        response = post_form(client, text="gatos e cachorros", **{field: value})
        assert response.status_code == 422, (field, value)
        assert response.json()["detail"].startswith(field)
    response = post_form(client, text="   ")
    assert response.status_code == 422 and response.json()["detail"].startswith("text")


def test_a_form_body_over_the_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)
    response = post_form(client, text="a" * 5000)
    assert response.status_code == 413


def test_crlf_from_the_browser_becomes_the_users_lf(client: TestClient) -> None:
    response = post_form(client, text="gatos\r\ngatos\r\ncachorros")
    assert response.status_code == 200
    assert "\r" not in response.text.split('<pre id="doc"')[1]


def test_with_keys_the_page_asks_for_one_and_the_posts_need_it(
    make_client: Callable[..., TestClient], api_key: str
) -> None:
    client = make_client()
    page = client.get("/")
    assert page.status_code == 200 and 'data-keys="required"' in page.text
    assert post_form(client, text="gatos e cachorros").status_code == 401
    ok = post_form(client, {"Authorization": f"Bearer {api_key}"}, text="gatos e cachorros")
    assert ok.status_code == 200


def test_open_loopback_mode_needs_no_key(client: TestClient) -> None:
    assert 'data-keys="open"' in client.get("/").text


def test_page_routes_count_in_metrics_and_traces_with_their_templates(
    make_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from okf.monitoring import instrument
    from okf.service.app import create_app

    from .support import build_test_registry

    exporter = InMemorySpanExporter()
    monkeypatch.setattr(
        "okf.service.app.instrument",
        lambda app, reg, cfg: instrument(app, reg, cfg, span_exporter=exporter),
    )
    app = create_app(make_settings(), build_test_registry())
    with TestClient(app) as client:
        assert post_form(client, text="gatos e cachorros").status_code == 200
        assert client.get("/static/app.css").status_code == 200
        assert client.get("/static/nothing-here.js").status_code == 404
        metrics = client.get("/metrics").text
    app.state.monitoring.shutdown()
    for endpoint, status in (
        ("/", 200),
        ("/web/extract", 200),
        ("/static/{path:path}", 200),
        ("/static/{path:path}", 404),
    ):
        assert re.search(
            rf'api_requests_total\{{endpoint="{re.escape(endpoint)}",method="\w+",'
            rf'status="{status}"\}} 1\.0',
            metrics,
        ), (endpoint, status)
    names = {s.name for s in exporter.get_finished_spans()}
    assert {"GET /", "POST /web/extract", "GET /static/{path:path}"} <= names


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([[(0, 3)]], [(0, 3, (0,)), (3, 10, ())]),
        (
            [[(2, 6)], [(4, 8)]],
            [(0, 2, ()), (2, 4, (0,)), (4, 6, (0, 1)), (6, 8, (1,)), (8, 10, ())],
        ),
        (
            [[(0, 10)], [(3, 5), (7, 9)]],
            [(0, 3, (0,)), (3, 5, (0, 1)), (5, 7, (0,)), (7, 9, (0, 1)), (9, 10, (0,))],
        ),
        ([[(5, 5), (8, 99), (-1, 2)]], [(0, 10, ())]),
    ],
)
def test_segments_split_overlaps_and_ignore_bad_offsets(
    spans: list[list[tuple[int, int]]], expected: list[tuple[int, int, tuple[int, ...]]]
) -> None:
    assert segments(10, spans) == expected


def test_marked_html_escapes_text_and_is_linear_on_a_large_text() -> None:
    assert marked_html("<b>&", [[(1, 2)]]) == (
        '<span class="chunk">&lt;<mark data-k="0">b</mark>&gt;&amp;</span>'
    )
    blocks = marked_html("aa bb\ncc dd ee", [[(0, 2)]], chunk=4)
    assert blocks == (
        '<span class="chunk"><mark data-k="0">aa</mark> </span><span class="chunk">bb\n'
        '</span><span class="chunk">cc </span><span class="chunk">dd </span>'
        '<span class="chunk">ee</span>'
    )
    text = "gato cão " * 100_000  # 900 KB, 200,000 occurrences
    spans = [
        [(i, i + 4) for i in range(0, len(text), 9)],
        [(i + 5, i + 8) for i in range(0, len(text), 9)],
    ]
    html = marked_html(text, spans)
    assert html.count("<mark") == 200_000
    assert 900_000 // CHUNK <= html.count('<span class="chunk">') <= 900_000 // (CHUNK - 20) + 2


def test_block_lines_are_the_blocks_as_data() -> None:
    unit = 'a <b> "c"\nd e\u2028f '
    text = unit * 400
    spans = [
        [(i, i + 1) for i in range(0, len(text), len(unit))],
        [(i + 2, i + 9) for i in range(0, 900, len(unit))],
    ]
    pieces = blocks(text, spans, chunk=200)
    lines = block_lines(text, pieces).split("\n")  # JSON escapes the text's line breaks
    assert len(lines) == len(pieces) > 30
    items = [item for line in lines for item in json.loads(line)]
    assert "".join(i if isinstance(i, str) else i[1] for i in items) == text
    marked = [(i[0], i[1]) for i in items if not isinstance(i, str)]
    assert marked[:3] == [("0", "a"), ("1", '<b> "c"'), ("0", "a")]
    assert len(marked) == sum(len(s) for s in spans)


def test_a_long_text_comes_as_marked_blocks_then_data(client: TestClient) -> None:
    text = ("Gatos <i>dormem</i> & cachorros brincam. " * 2000).strip()
    response = post_form(client, text=text, top_n="5")
    assert response.status_code == 200, response.text
    doc = re.search(r'<pre id="doc"[^>]*aria-busy="true"[^>]*>(.*?)</pre>', response.text, re.S)
    pending = re.search(r'<pre hidden id="okf-pending">(.*?)</pre>', response.text, re.S)
    assert doc and pending and "<" not in pending.group(1)
    assert doc.group(1).count('<span class="chunk">') == 4 and "<mark" in doc.group(1)
    first = html.unescape(re.sub(r"<[^>]+>", "", doc.group(1)))
    rest = [json.loads(line) for line in html.unescape(pending.group(1)).split("\n")]
    built = "".join(i if isinstance(i, str) else i[1] for line in rest for i in line)
    assert first + built == text
    short = post_form(client, text="Gatos dormem e cachorros brincam.")
    assert "okf-pending" not in short.text and "aria-busy" not in short.text


def test_templates_escape_and_static_files_exist() -> None:
    root = Path(__file__).parents[2] / "src/okf/service/web"
    for template in (root / "templates").glob("*.html"):
        assert "|safe" not in template.read_text(), template  # marks come as Markup only
    for name in ("app.css", "common.js", "extract.js"):
        assert (root / "static" / name).is_file()


def test_html_input_is_marked_in_its_plain_text(client: TestClient) -> None:
    from okf.extraction import ExtractionInput, to_plain

    page = (
        "<html><head><title>Gatos</title><script>window.__pwned=1</script></head><body>"
        "<h1>Gatos e cachorros</h1><p>Gatos <b>dormem</b>; cachorros brincam. Gatos!</p>"
        "</body></html>"
    )
    assert 'value="text/html"' in client.get("/").text  # offered once a converter exists
    response = post_form(client, text=page, content_type="text/html", language="pt")
    assert response.status_code == 200, response.text
    plain = to_plain(ExtractionInput(page, content_type="text/html")).text
    doc = re.search(r'<pre id="doc"[^>]*>(.*?)</pre>', response.text, re.S)
    assert doc is not None
    shown = html.unescape(re.sub(r"</?(mark|span)[^>]*>", "", doc.group(1)))
    assert shown == plain and "<b>" not in shown and "__pwned" not in shown
    assert "<mark" in doc.group(1)
