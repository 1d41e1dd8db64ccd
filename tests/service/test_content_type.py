"""Markdown and HTML in through the API and the CLI: offsets into the returned text."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from okf.models.base import ModelRegistry
from okf.models.statistical import StatisticalModel

MARKDOWN = """# Marketing de conteúdo para pequenas lojas

O **marketing de conteúdo** atrai clientes sem anúncios. Leia [o guia](https://example.com).

```js
const marketing = "de conteúdo";
```

## Como medir

Um bom marketing de conteúdo aparece nas buscas e traz vendas para a loja.
"""

HTML = """<html><head><title>Return on investment of content</title>
<meta name="description" content="How to measure the return on investment."></head>
<body><nav>Home Blog About</nav><main><h1>Return on investment of content</h1>
<p>The return on investment of a blog grows slowly. Measure the return on investment
every quarter, and compare the return on investment of each channel.</p></main>
<footer>Cookie policy</footer></body></html>"""


def statistical_client(make_client: Callable[..., TestClient]) -> TestClient:
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    return make_client(registry, rate_limit_per_s=1000.0, rate_limit_burst=1000)


def check_offsets(body: dict) -> None:  # type: ignore[type-arg]
    text = body["text"]
    for keyword in body["keywords"]:
        for start, end in keyword["offsets"]:
            assert " ".join(text[start:end].split()) in keyword["variants"]


def test_markdown_in_returns_the_plain_text_and_its_offsets(
    make_client: Callable[..., TestClient],
) -> None:
    client = statistical_client(make_client)
    payload = {"text": MARKDOWN, "content_type": "text/markdown", "top_n": 5}
    body = client.post("/v1/keywords/extract", json=payload).json()
    assert body["keywords"][0]["phrase"].lower() == "marketing de conteúdo"
    assert "const marketing" not in body["text"] and "example.com" not in body["text"]
    check_offsets(body)


def test_html_in_drops_boilerplate(make_client: Callable[..., TestClient]) -> None:
    client = statistical_client(make_client)
    payload = {"text": HTML, "content_type": "text/html", "top_n": 5}
    body = client.post("/v1/keywords/extract", json=payload).json()
    assert "Cookie" not in body["text"] and "Home Blog" not in body["text"]
    assert body["keywords"][0]["phrase"].lower() == "return on investment"
    check_offsets(body)


def test_plain_text_has_no_text_member_and_a_title_counts(
    make_client: Callable[..., TestClient],
) -> None:
    client = statistical_client(make_client)
    paragraph = (
        "A memória decide o desempenho do notebook. Mais memória ajuda quem compila "
        "projetos grandes, e a memória rápida evita travamentos. A tela precisa de boa "
        "resolução, e a tela fosca cansa menos a vista. O teclado confortável também conta "
        "em longas sessões de trabalho com código e testes automatizados: o teclado "
        "importa."
    )
    plain = "\n\n".join([paragraph] * 8)  # ~450 words: fields weigh from ~180 words on

    def rank_of(phrase: str, **extra: str) -> int:
        body = client.post("/v1/keywords/extract", json={"text": plain, "top_n": 20, **extra})
        found = [k["phrase"].lower() for k in body.json()["keywords"]]
        assert body.json().get("text") is None  # plain text: offsets index into it
        return found.index(phrase) if phrase in found else 99

    assert rank_of("teclado", title="Teclado confortável") < rank_of("teclado")


def test_unknown_type_is_422_and_odd_markup_degrades_to_text(
    make_client: Callable[..., TestClient],
) -> None:
    client = statistical_client(make_client)
    bad_type = {"text": "abc def", "content_type": "application/pdf"}
    assert client.post("/v1/keywords/extract", json=bad_type).status_code == 422
    binary = {"text": "<html>\u0001\u0002\u0003 dados</html>", "content_type": "text/html"}
    response = client.post("/v1/keywords/extract", json=binary)
    assert response.status_code == 200 and "\u0001" not in response.json()["text"]
    only_code = {"text": "```\ncódigo apenas\n```", "content_type": "text/markdown"}
    response = client.post("/v1/keywords/extract", json=only_code)
    assert response.status_code == 200  # no readable text: the text itself is used
    assert response.json()["text"] == only_code["text"]


def test_cli_reads_markdown_by_extension(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(MARKDOWN, encoding="utf-8")
    cmd = [sys.executable, "-m", "okf.cli", "extract", str(post), "--model", "statistical"]
    out = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, check=True)
    body = json.loads(out.stdout)
    assert "const marketing" not in body["text"]
    check_offsets(body)
