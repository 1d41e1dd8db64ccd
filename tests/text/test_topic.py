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


# A post long enough to have a title apart from its first sentence (over 350 tokens):
# the title's one-word topic is said a few times, the body's own terms many more.
TRAVEL_POST = "Japan travels\n\n" + " ".join(
    [
        "Day one started at Tokyo station with a rail pass and a long list of temples.",
        "The Tokyo station hotel had a view of the palace gardens and the old brick hall.",
        "Day two took the bullet train to Kyoto, where the temple gardens open at dawn.",
        "Kyoto temple gardens are quiet before the tour buses reach the hills.",
        "Every visitor should book the temple gardens early in the season.",
    ]
    * 9
    + [
        "Travellers in Japan do well with a rail pass, and travellers on a budget take",
        "the night bus with other travellers.",
        "Day three was a Tokyo food market, day four a Kyoto tea house by the river.",
    ]
)
BUSINESS_POST = "Business and engineering alignment\n\n" + " ".join(
    [
        "Every framework migration at the company began as a request from the developers.",
        "The company mission decides which framework migration gets funded this year.",
        "Company budgets follow the company mission, and the company reviews them yearly.",
        "Product managers weigh the company mission against the cost of each migration.",
        "A framework migration that serves the company mission wins the budget.",
    ]
    * 9
    + [
        "The business side asks what a migration earns, and engineering answers with",
        "numbers. Alignment between business and engineering starts with that answer.",
    ]
)


def test_the_titles_one_word_topic_leads_a_long_post() -> None:
    assert len(prepare(TRAVEL_POST, "en").tokens) > 350
    assert "travellers" in top(TRAVEL_POST, 3)
    assert "business" in top(BUSINESS_POST, 3)


def test_title_phrases_the_body_uses_most_are_raised_above_everything() -> None:
    from okf.models._topic import TOPIC_SLOTS, topic_first

    doc = prepare(BUSINESS_POST, "en")
    candidates = extract_candidates(doc, 3)
    # Scores that bury the title's words under every body phrase.
    title_words = {"business", "engineering", "alignment"}
    raw = [0.0 if c.phrase.lower() in title_words else 100.0 + i for i, c in enumerate(candidates)]
    lifted = topic_first(doc, candidates, raw)
    order = sorted(range(len(candidates)), key=lambda i: -lifted[i])
    first = {candidates[i].phrase.lower() for i in order[:TOPIC_SLOTS]}
    assert first == title_words
    # The rest keep their order; a short text (an abstract) is left as it is.
    rest = [i for i in order if i not in order[:TOPIC_SLOTS]]
    assert rest == sorted(rest, key=lambda i: -raw[i])
    short = prepare(AI_POST, "en")
    short_candidates = extract_candidates(short, 3)
    short_raw = [float(i) for i in range(len(short_candidates))]
    assert topic_first(short, short_candidates, short_raw) == short_raw


def test_omni_puts_the_title_topic_first_too() -> None:
    from okf.models.omni import OmniModel

    model = OmniModel()
    if model.unavailable_reason():  # the encoder's weights are not installed
        import pytest

        pytest.skip(f"omni unavailable: {model.unavailable_reason()}")
    model.load()
    doc = prepare(BUSINESS_POST, "en")
    found = [k.phrase.lower() for k in model.extract(doc, ExtractOptions(top_n=5))]
    assert "business" in found, found


def test_english_function_words_quoted_in_portuguese_are_junk() -> None:
    from okf.text.junk import junk_reason

    for phrase in ("better than implicit", "explicit is better", "the"):
        assert junk_reason(phrase, "pt") == "English function word at an edge", phrase
    for phrase in ("Bill Clinton", "via rápida", "zen of python", "python"):
        assert junk_reason(phrase, "pt") is None, phrase


def test_generic_lone_nouns_are_junk() -> None:
    from okf.text.junk import junk_reason

    for phrase, language in (("dicas", "pt"), ("tips", "en"), ("time", "en"), ("caso", "pt")):
        assert junk_reason(phrase, language) == "lone generic noun", phrase
    assert junk_reason("dicas de trabalho", "pt") is None
    assert junk_reason("real time", "en") is None


def test_a_text_longer_than_an_article_keeps_its_ranking() -> None:
    from okf.models._topic import ARTICLE_MAX_WORDS, topic_first

    paper = BUSINESS_POST + " Engineering budgets grow." * (ARTICLE_MAX_WORDS // 3)
    doc = prepare(paper, "en")
    candidates = extract_candidates(doc, 3)
    raw = [float(i) for i in range(len(candidates))]
    assert topic_first(doc, candidates, raw) == raw
