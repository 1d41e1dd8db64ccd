"""``POST /v1/keywords/intent``: the same answers as ``okf intent``, bounded input."""

from __future__ import annotations

from fastapi.testclient import TestClient

from okf.research.intent import IntentClassifier

from .support import assert_problem


def test_intent_classifies_phrases_in_order(client: TestClient) -> None:
    phrases = ["comprar notebook", "zeta login", "how to bake bread", "kindle vs kobo"]
    r = client.post("/v1/keywords/intent", json={"phrases": phrases, "brands": ["Zeta"]})
    assert r.status_code == 200, r.text
    body = r.json()
    got = [(x["phrase"], x["intent"], x["funnel"]) for x in body["results"]]
    assert got == [
        ("comprar notebook", "transactional", "bottom"),
        ("zeta login", "navigational", "bottom"),
        ("how to bake bread", "informational", "top"),
        ("kindle vs kobo", "commercial", "middle"),
    ]
    assert body["results"][3]["modifiers"] == ["comparison"]
    expected = IntentClassifier(["Zeta"]).classify("zeta login").as_dict()
    assert body["results"][1] == expected  # the same as the CLI's classifier
    assert body["took_ms"] >= 0


def test_language_restricts_the_cues(client: TestClient) -> None:
    r = client.post("/v1/keywords/intent", json={"phrases": ["comprar casa"], "language": "en"})
    assert r.json()["results"][0]["intent"] == "informational"


def test_bounds_are_problems(client: TestClient) -> None:
    assert_problem(client.post("/v1/keywords/intent", json={"phrases": []}), 422)
    too_many = {"phrases": ["seo"] * 1001}
    assert_problem(client.post("/v1/keywords/intent", json=too_many), 422)
    assert_problem(client.post("/v1/keywords/intent", json={"phrases": ["x" * 201]}), 422)
    assert_problem(client.post("/v1/keywords/intent", json={"phrase": ["typo"]}), 422)
    ok = client.post("/v1/keywords/intent", json={"phrases": ["seo"] * 1000})
    assert ok.status_code == 200 and len(ok.json()["results"]) == 1000
