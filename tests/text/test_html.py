"""HTML input: main content, fields, boilerplate dropped, hostile markup (pages written here)."""

from __future__ import annotations

from okf.models.base import ExtractOptions
from okf.models.statistical import StatisticalModel
from okf.text import prepare
from okf.text.html import from_html
from okf.text.markup import structure

PAGE = """<!doctype html><html><head>
<title>Taxa de conversão em lojas virtuais</title>
<meta name="description" content="Como medir a taxa de conversão de uma loja.">
<style>.x { color: #ff8800 }</style><script>var taxa = 1;</script>
</head><body>
<nav class="menu"><a href="/">Início</a> <a href="/blog">Blog</a></nav>
<div id="cookie-banner">Usamos cookies para melhorar sua experiência.</div>
<article>
<h1>Taxa de conversão em lojas virtuais</h1>
<p>A <b>taxa de conversão</b> mede quantas visitas viram vendas. Uma loja virtual com
boa taxa de conversão vende mais com o mesmo tráfego.</p>
<h2>Como medir a taxa de conversão</h2>
<p>Divida as vendas pelas visitas. Veja <a href="https://example.com/guia">o guia completo</a>.</p>
<pre><code>taxa_de_conversao = vendas / visitas</code></pre>
<img src="grafico.png" alt="gráfico de vendas">
</article>
<footer>Copyright loja exemplo. Política de privacidade.</footer>
</body></html>"""


def test_main_content_and_fields_without_boilerplate() -> None:
    page = from_html(PAGE)
    assert page.fields.title == "Taxa de conversão em lojas virtuais"
    assert page.fields.description == "Como medir a taxa de conversão de uma loja."
    assert page.fields.headings == ("Como medir a taxa de conversão",)
    for gone in (
        "Início",
        "cookies",
        "Copyright",
        "taxa_de_conversao",
        "example.com",
        "grafico.png",
        "#ff8800",
        "var taxa",
    ):
        assert gone not in page.text, gone
    assert "o guia completo" in page.text
    assert page.text.startswith("Taxa de conversão em lojas virtuais\n\n")


def test_keywords_with_offsets_into_the_returned_text() -> None:
    page = structure(PAGE, "text/html")
    doc = prepare(page.text, "pt", page.fields)
    keywords = StatisticalModel().extract(doc, ExtractOptions(top_n=5))
    assert keywords[0].phrase.lower() == "taxa de conversão"
    for keyword in keywords:
        for start, end in keyword.offsets:
            assert " ".join(page.text[start:end].split()) in keyword.variants


def test_unclosed_and_stray_tags_degrade_to_text() -> None:
    page = from_html("<p>Marketing de conteúdo <b>sem fechar <i>nada</p></div></span> fim")
    assert "Marketing de conteúdo" in page.text and "fim" in page.text


def test_deeply_nested_divs_take_one_linear_pass() -> None:
    depth = 150_000  # about 1 MB of markup, the largest text accepted
    source = "<div>" * depth + "palavra chave" + "</div>" * depth
    page = from_html(source)  # linear, no recursion: no RecursionError, no hang
    assert page.text == "palavra chave"


def test_binary_posing_as_html_degrades_to_text() -> None:
    page = from_html("<html>\x00\x01\x02\x89PNG\x1a\x1b dados</html>")
    assert "\x00" not in page.text and "\x01" not in page.text and "dados" in page.text


def test_a_page_of_only_boilerplate_has_no_text_but_no_crash() -> None:
    page = from_html("<nav>menu</nav><footer>rodapé</footer>")
    assert page.text == ""
