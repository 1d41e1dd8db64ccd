"""The article's topic first: title evidence, topical nouns and acronyms (texts written here)."""

from __future__ import annotations

from okf.models.base import ExtractOptions
from okf.models.statistical import StatisticalModel
from okf.text import extract_candidates, prepare
from okf.text.fields import field_weights, plain_fields
from okf.text.stopwords import stopwords

AI_POST = (
    "AI is changing the support desk\n\n"
    "Our support desk answered every ticket by hand until last spring. Then we tried AI "
    "for the first replies. The AI drafts an answer, a person checks it, and the customer "
    "gets it in minutes. Customers liked the speed, and the agents liked skipping the "
    "repetitive tickets. AI still gets refunds wrong, so refunds stay with people. "
    "The support desk now closes twice as many tickets, and the team spends its time on "
    "the customers who need a conversation. We measured ticket times for three months. "
    "Ticket times fell for simple questions and stayed flat for refunds and complaints."
)


def top(text: str, n: int = 5, language: str = "auto") -> list[str]:
    model = StatisticalModel()
    model.load()
    found = model.extract(prepare(text, language), ExtractOptions(top_n=n))
    return [k.phrase.lower() for k in found]


def test_topical_nouns_and_ai_are_not_stopwords() -> None:
    words = stopwords("en")
    for noun in ("web", "site", "page", "test", "text", "index", "world", "ai"):
        assert noun not in words, noun
    for function in ("the", "it", "us", "of", "paper"):
        assert function in words, function
    found = {c.phrase.lower() for c in extract_candidates(prepare(AI_POST, "en"))}
    assert "ai" in found


def test_a_short_first_line_ending_in_a_full_stop_is_a_title_when_it_stands_alone() -> None:
    assert plain_fields("Blog post volume.\n\nThe blog grew in May.").title == "Blog post volume."
    assert plain_fields("Blog post volume.\nThe blog grew in May.").title == ""
    long_sentence = "This first line is a sentence that goes on and on about many things at once."
    assert plain_fields(long_sentence + "\n\nMore text follows here.").title == ""


def test_the_title_counts_only_for_phrases_the_body_uses_too() -> None:
    text = (
        "Going fast with Hugo sites\n\n"
        + "Hugo builds the pages in a second. Hugo needs no database. " * 30
    )
    doc = prepare(text, "en")
    candidates = extract_candidates(doc, 3)
    weights = dict(
        zip((c.phrase.lower() for c in candidates), field_weights(doc, candidates, 3), strict=True)
    )
    assert weights["hugo"] > 1.0  # in the title and in the body
    assert weights["hugo sites"] == 1.0  # said in the title only
