"""Questions found in texts: sentences and headings, normalised and merged."""

from __future__ import annotations

from okf.research.questions import find_questions, merge

TEXT_PT = """# Como escolher um notebook para programar

Muita gente pergunta isso. Qual é o melhor processador para compilar? Depende do uso.

## O que é SSD NVMe

Um texto comum, que não pergunta nada.
Ok?
"""

TEXT_EN = """## Why does **caching** matter
Caching saves time. Is a CDN worth it for a small blog? Usually, yes.
See [the guide](https://x.test) for how it works.
"""


def test_question_sentences_and_headings() -> None:
    assert find_questions(TEXT_PT) == [
        "Como escolher um notebook para programar?",
        "Qual é o melhor processador para compilar?",
        "O que é SSD NVMe?",
    ]
    assert find_questions(TEXT_EN) == [
        "Why does caching matter?",
        "Is a CDN worth it for a small blog?",
    ]


def test_plain_sentences_and_short_fragments_are_not_questions() -> None:
    assert find_questions("Isto é uma frase. Outra frase aqui!\nOk?") == []


def test_merge_by_folded_words_counts_documents() -> None:
    merged = merge(
        [
            ("O que é SEO técnico?", "a"),
            ("o que e seo tecnico?", "b"),
            ("Como medir?", "a"),
            ("O que é SEO técnico?", "a"),
        ]
    )
    assert merged[0] == ("O que é SEO técnico?", ["a", "b"])
    assert merged[1] == ("Como medir?", ["a"])
