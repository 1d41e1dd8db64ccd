"""The article's topic first: the title's phrases that the body uses most lead the list.

A phrase in the title *and* in the body is the strongest evidence of what a text is
about: the author named the topic, and the text keeps to it. A field weight (a
multiplier) is not enough in a long text, where a frequent body phrase outscores a
title word by orders of magnitude ("business" in a post titled "Business and
Engineering alignment" ranked 17th under "company" and "mission"). So the
:data:`TOPIC_SLOTS` title phrases that the body uses most often (ties: the model's own
evidence) come first, in that order; everything else keeps its order after them.
Junk is never promoted. Texts under :data:`~okf.text.joins.HEADED_MIN_TOKENS` tokens
(abstracts) are left alone: their title is just their first sentence; so are texts
over :data:`ARTICLE_MAX_WORDS` words (full papers).
"""

from __future__ import annotations

from collections.abc import Sequence

from okf.text import Candidate, Document
from okf.text.fields import field_grams, title_span
from okf.text.joins import HEADED_MIN_TOKENS
from okf.text.junk import context_of, is_junk

#: How many title phrases lead: a title names one to three things.
TOPIC_SLOTS = 3
#: Longest text (words) treated as an article: posts and news run 500 to 3,000 words (the
#: issue "Real content"); a full paper states its topic in its abstract, and there the
#: tier only takes places from its terms (SemEval2010: papers of 2,380 words and more).
ARTICLE_MAX_WORDS = 3000


def body_uses(doc: Document, candidates: Sequence[Candidate]) -> dict[int, int]:
    """Candidates of the title that the body uses too, with their number of body uses."""
    title = doc.fields.title
    if not title or len(doc.tokens) < HEADED_MIN_TOKENS:
        return {}
    if sum(1 for stem in doc.stems if stem) > ARTICLE_MAX_WORDS:
        return {}
    n_max = max((len(c.key) for c in candidates), default=1)
    grams = field_grams([title], doc.language, n_max)
    start, end = title_span(doc) or (0, 0)
    out = {}
    for i, cand in enumerate(candidates):
        if cand.key in grams:
            uses = sum(1 for o in cand.occurrences if o.start >= end or o.end <= start)
            if uses:
                out[i] = uses
    return out


def topic_first(
    doc: Document,
    candidates: Sequence[Candidate],
    raw: Sequence[float],
    evidence: Sequence[float] | None = None,
) -> list[float]:
    """``raw`` with the leading title phrases raised above every other score, in order.

    ``evidence`` (default: ``raw``) breaks ties between phrases the body uses equally
    often: ``omni`` passes the statistical prior, the text's own evidence.
    """
    uses = body_uses(doc, candidates)
    if not uses:
        return list(raw)
    evidence = raw if evidence is None else evidence
    context = context_of(doc.text, doc.language)
    chosen: list[int] = []
    for i in sorted(uses, key=lambda i: (-uses[i], -evidence[i])):
        if not is_junk(candidates[i].phrase, doc.language, context):
            chosen.append(i)
            if len(chosen) == TOPIC_SLOTS:
                break
    out = list(raw)
    if not chosen:
        return out
    high, low = max(raw), min(raw)
    # Far above the rest, so that unit scores and diversity (MMR) keep them first.
    step = 10 * ((high - low) or 1.0)
    for rank, i in enumerate(chosen):
        out[i] = high + step * (len(chosen) - rank)
    return out
