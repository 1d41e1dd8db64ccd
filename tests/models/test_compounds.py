"""Split compounds and repeated head terms in long texts (texts written here)."""

from __future__ import annotations

from okf.models._compounds import split_parts
from okf.models.base import ExtractOptions
from okf.models.statistical import Params, StatisticalModel
from okf.text import extract_candidates, prepare

WORKER_POST = (
    "Offline pages with a service worker\n\n"
    + (
        "The service worker caches every page on the first visit. "
        "A reader on a train still opens the cached page. "
        "Our service worker also refreshes the cache at night. "
        "Readers noticed the speed, and the bounce rate fell. "
    )
    * 12
)


def keywords(text: str, n: int = 10) -> list[str]:
    model = StatisticalModel()
    model.load()
    found = model.extract(prepare(text, "en"), ExtractOptions(top_n=n))
    return [k.phrase.lower() for k in found]


def test_a_word_used_only_inside_a_longer_term_is_a_split_part() -> None:
    doc = prepare(WORKER_POST, "en")
    candidates = extract_candidates(doc, 3)
    index = {c.phrase.lower(): i for i, c in enumerate(candidates)}
    parts = split_parts(candidates, range(len(candidates)), set())
    assert index["worker"] in parts  # every "worker" is in "service worker"
    assert index["page"] not in parts  # "page" stands alone too
    assert index["service worker"] not in parts


def test_junk_does_not_stand_for_a_word() -> None:
    doc = prepare(WORKER_POST, "en")
    candidates = extract_candidates(doc, 3)
    index = {c.phrase.lower(): i for i, c in enumerate(candidates)}
    holders = {i for i, c in enumerate(candidates) if "worker" in c.phrase.lower() and c.size > 1}
    assert index["worker"] not in split_parts(candidates, [index["worker"]], holders)


def test_the_keywords_keep_the_term_and_drop_its_lone_part() -> None:
    found = keywords(WORKER_POST)
    assert "service worker" in found
    assert "worker" not in found


def test_long_texts_weigh_rarity_more_and_one_off_chunks_less() -> None:
    params = Params()
    short, long = params.blend(100), params.blend(5000)
    assert (short, long) == (0.0, 1.0)
    assert params.specificity[1] > params.specificity[0]
    assert params.whole_chunk[1] < params.whole_chunk[0]
