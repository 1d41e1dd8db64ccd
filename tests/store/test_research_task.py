"""The research job on the real extraction path (statistical model, no phrase vectors):
documents stored with a job → okf.research → the report's tables in the store."""

from __future__ import annotations

import pytest

from okf.store import NewJob, run_job
from okf.store.tasks import research_options, run_research

PAGES = [
    {"id": "cafe-1", "text": "Como fazer café coado. O café coado precisa de água quente e "
     "pó de café moído na hora. Qual a melhor moagem para café coado?"},
    {"id": "cafe-2", "text": "Melhor cafeteira para café coado: comparativo de preço. A "
     "cafeteira elétrica faz café coado rápido. Café coado ou café expresso?"},
    {"id": "cha-1", "text": "Chá verde tem cafeína? O chá verde tem menos cafeína que o café. "
     "Como preparar chá verde sem amargar: água a 80 graus."},
]
RIVAL = [{"id": "r1", "text": "Moedor de café manual: comprar moedor de café barato com frete "
          "grátis. O moedor de café manual dá moagem uniforme."}]


def test_research_job_stores_every_table(store):
    options = {"model": "statistical", "vectors": False, "top_n": 10}
    job = store.submit(NewJob("alice", options, PAGES, compare=RIVAL))
    events: list = []
    claimed = store.claim("w1", lease_s=60)
    assert claimed.id == job.id
    assert run_job(store, run_research, claimed, "w1", lease_s=60, emit=events.append) == "done"
    done = store.get(job.id)
    assert done.state == "done" and done.done == 4
    total, keywords = store.rows(job.id, "keywords")
    assert total == len(keywords) > 0
    scores = [r["corpus_score"] for r in keywords]
    assert scores == sorted(scores, reverse=True)  # stored in the table's order
    by_phrase = {r["phrase"]: r for r in keywords}
    assert by_phrase["café"]["documents"] == 3  # the one word all three pages share
    assert all(r["intent"] for r in keywords)
    for table in ("clusters", "questions", "gap", "pages", "summary"):
        assert store.row_count(job.id, table) > 0, table
    questions = [r["question"] for r in store.rows(job.id, "questions")[1]]
    assert any("cafeína" in q for q in questions)
    gap = store.rows(job.id, "gap")[1]
    assert any("moedor" in r["phrase"] for r in gap)
    stages = [e["stage"] for e in events if e["type"] == "stage"]
    assert "extract" in stages and "cluster" in stages and "gap" in stages


def test_unknown_option_is_refused_by_name():
    with pytest.raises(ValueError, match="colour"):
        research_options({"colour": "blue"})
