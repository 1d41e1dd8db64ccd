"""Phrases across a preposition, page fields, and Markdown input (texts written here)."""

from __future__ import annotations

from okf.models.base import ExtractOptions
from okf.models.statistical import StatisticalModel
from okf.text import extract_candidates, prepare
from okf.text.fields import looks_like_title, plain_fields
from okf.text.markup import check_content_type, content_type_of_path, from_markdown, structure

PT = (
    "Como escolher um notebook para programação\n\n"
    "Escolher um notebook para programação exige atenção à memória. Os mecanismos de "
    "busca valorizam páginas rápidas, e a taxa de conversão cresce quando os mecanismos "
    "de busca entendem a página. O marketing de conteúdo melhora a taxa de conversão. "
    "Um bom marketing de conteúdo é importante. Vale melhorar o texto e colocar 325º "
    "exemplos com a cor #ff8800."
)
EN = (
    "Kubernetes autoscaling explained\n\n"
    "Kubernetes autoscaling adds pods when load grows. The return on investment of "
    "autoscaling is clear: the return on investment improves as clusters grow, and the "
    "return on investment of idle nodes is low. Devices of the internet of things send "
    "metrics; the internet of things needs Machine Learning, and the internet of things "
    "grows. Machine Learning models "
    "calculate optimal sizes, and popular tools write reports."
)


def phrases(text: str, language: str = "auto", top: int = 10) -> list[str]:
    model = StatisticalModel()
    model.load()
    return [
        k.phrase.lower() for k in model.extract(prepare(text, language), ExtractOptions(top_n=top))
    ]


def keys(text: str) -> dict[str, object]:
    return {c.phrase.lower(): c for c in extract_candidates(prepare(text))}


def test_portuguese_phrases_cross_a_preposition() -> None:
    found = keys(PT)
    for phrase in (
        "mecanismos de busca",
        "taxa de conversão",
        "marketing de conteúdo",
        "notebook para programação",
    ):
        assert phrase in found, phrase


def test_english_phrases_cross_of_and_on() -> None:
    found = keys(EN)
    assert "return on investment" in found and "internet of things" in found


def test_a_join_said_once_is_not_a_candidate() -> None:
    found = keys("Dicas de otimização para sites. O site carrega rápido.")
    assert "dicas de otimização" not in found


def test_the_whole_phrase_wins_over_its_parts_and_the_topic_leads() -> None:
    top = phrases(PT)
    assert top[0] == "notebook para programação"
    assert "mecanismos de busca" in top
    if "mecanismos" in top:
        assert top.index("mecanismos de busca") < top.index("mecanismos")
    assert "taxa de conversão" in top and "marketing de conteúdo" in top
    en = phrases(EN, top=20)
    assert "kubernetes autoscaling" in en[:5]
    for whole, part in (("return on investment", "investment"), ("internet of things", "internet")):
        assert whole in en
        assert part not in en or en.index(whole) < en.index(part)


def test_no_junk_in_the_top_ten() -> None:
    pt = phrases(PT)
    for junk in ("importante", "melhorar", "colocar", "325º", "ff8800", "bom marketing"):
        assert junk not in pt, junk
    en = phrases(EN)
    for junk in ("calculate", "write", "optimal", "popular"):
        assert junk not in en, junk


def test_split_compounds_are_one_keyword() -> None:
    en = phrases(EN, top=10)
    assert "machine learning" in en
    assert "machine" not in en or "learning" not in en


def test_a_title_like_first_line_is_the_title() -> None:
    assert plain_fields(PT).title == "Como escolher um notebook para programação"
    assert plain_fields("Uma frase só, sem título.").title == ""
    assert not looks_like_title("This first line is a sentence that ends with a period.")
    assert plain_fields("One line only").title == ""


MARKDOWN = """# Marketing de conteúdo para lojas

O **marketing de conteúdo** atrai clientes. Veja [o guia](https://example.com/guia).

## Taxa de conversão

```python
def taxa_de_conversao(): return 325
```

A taxa de conversão mede vendas. ![logo](logo.png) <span>Marketing de conteúdo</span> vende.
"""


def test_markdown_keeps_fields_apart_and_drops_code_images_and_link_targets() -> None:
    page = from_markdown(MARKDOWN)
    assert page.fields.title == "Marketing de conteúdo para lojas"
    assert page.fields.headings == ("Taxa de conversão",)
    assert "taxa_de_conversao" not in page.text and "example.com" not in page.text
    assert "logo" not in page.text and "<span>" not in page.text
    assert "o guia" in page.text
    doc = prepare(page.text, "pt", page.fields)
    keywords = StatisticalModel().extract(doc, ExtractOptions(top_n=5))
    assert keywords[0].phrase.lower() == "marketing de conteúdo"
    for keyword in keywords:  # offsets index into the returned plain text
        for start, end in keyword.offsets:
            assert " ".join(page.text[start:end].split()) in keyword.variants


def test_content_types() -> None:
    assert check_content_type(None) == "text/plain"
    assert check_content_type("text/markdown; charset=utf-8") == "text/markdown"
    assert content_type_of_path("post.md") == "text/markdown"
    assert content_type_of_path("page.HTML") == "text/html"
    assert structure("Texto simples.", "text/plain", title="Um título").fields.title == "Um título"
