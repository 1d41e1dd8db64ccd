"""The issue's bad-input table, row by row: the right 4xx (or 504), never a 5xx or a hang."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from okf.service.app import create_app
from okf.settings import Settings

from .support import SlowModel, assert_problem, build_test_registry

URL = "/v1/keywords/extract"
BATCH = "/v1/keywords/extract/batch"
TEXT = "Keyword extraction ranks phrases; extraction of keywords helps search engines."


def _post_raw(
    client: TestClient,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
):
    return client.post(URL, content=body, headers={"Content-Type": content_type, **(headers or {})})


def _fields(body: dict) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


# -- malformed JSON, wrong types, missing text → 422 (or 400) with the field named ------


def test_malformed_json_is_400_with_position(client: TestClient) -> None:
    body = assert_problem(_post_raw(client, b'{"text": "abc",'), 400)
    assert "Malformed JSON" in body["detail"] and "character" in body["detail"]


def test_deeply_nested_json_is_rejected_not_crashing(client: TestClient) -> None:
    r = _post_raw(client, b"[" * 100_000 + b"]" * 100_000)
    assert r.status_code in (400, 422), r.text


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": 123}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": TEXT, "top_n": "5"}, "top_n"),
        ({"text": TEXT, "top_n": True}, "top_n"),
        ({"text": TEXT, "diversity": "high"}, "diversity"),
        ({"text": TEXT, "language": 1}, "language"),
        ({"text": TEXT, "topn": 5}, "topn"),
        ({"language": "en"}, "text"),
        ([TEXT], "body"),
    ],
)
def test_wrong_types_and_missing_text_name_the_field(
    client: TestClient, payload: object, field: str
) -> None:
    body = assert_problem(client.post(URL, json=payload), 422)
    assert field in _fields(body)
    assert field in body["detail"]


def test_batch_errors_name_the_document(client: TestClient) -> None:
    payload = {"documents": [{"text": TEXT}, {"text": 5}]}
    body = assert_problem(client.post(BATCH, json=payload), 422)
    assert "documents[1].text" in _fields(body)


# -- wrong Content-Type → 415 -----------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", ""],
)
def test_wrong_content_type_is_415(client: TestClient, content_type: str) -> None:
    r = _post_raw(client, json.dumps({"text": TEXT}).encode(), content_type)
    assert_problem(r, 415)


def test_json_with_utf8_charset_and_plus_json_are_accepted(client: TestClient) -> None:
    body = json.dumps({"text": TEXT}).encode()
    assert _post_raw(client, body, "application/json; charset=UTF-8").status_code == 200
    assert _post_raw(client, body, "application/vnd.okf+json").status_code == 200


# -- body over the limit, with and without Content-Length → 413 -------------------------


def test_body_over_limit_with_content_length_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)
    body = json.dumps({"text": "word " * 1000}).encode()
    r = _post_raw(client, body)
    assert_problem(r, 413)
    assert "1000" in r.json()["detail"]


def test_chunked_body_over_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"word " * 20
        yield b'"}'

    r = client.post(URL, content=chunks(), headers={"Content-Type": "application/json"})
    assert_problem(r, 413)


def test_default_limit_is_one_mebibyte(client: TestClient) -> None:
    under = json.dumps({"text": "palavra" + " " * 1_048_500}).encode()
    assert 1_048_500 < len(under) <= 1_048_576
    # Passes the body guard; the text package then refuses over 1,000,000 characters.
    assert "text" in _fields(assert_problem(_post_raw(client, under), 422))
    over = json.dumps({"text": "palavra" + " " * 1_048_558}).encode()
    assert len(over) == 1_048_577
    assert_problem(_post_raw(client, over), 413)


# -- empty or whitespace-only text → 422 ------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\u00a0\u2003"])
def test_empty_or_blank_text_is_422(client: TestClient, text: str) -> None:
    body = assert_problem(client.post(URL, json={"text": text}), 422)
    assert "text" in _fields(body)


def test_blank_text_in_batch_names_the_document(client: TestClient) -> None:
    payload = {"documents": [{"text": TEXT}, {"text": "  "}]}
    body = assert_problem(client.post(BATCH, json=payload), 422)
    assert "documents[1].text" in _fields(body)


def test_text_that_prepare_rejects_is_422(client: TestClient) -> None:
    # Only control characters: not blank to str.strip(), empty to the text package.
    body = assert_problem(client.post(URL, json={"text": "\u0000\u0001"}), 422)
    assert "text" in _fields(body)


def test_unpaired_surrogate_is_422(client: TestClient) -> None:
    r = _post_raw(client, b'{"text": "abc \\ud800 def"}')
    assert "text" in _fields(assert_problem(r, 422))


# -- unknown model or language → 422 listing the valid values ---------------------------


def test_unknown_model_is_422_listing_models(client: TestClient) -> None:
    body = assert_problem(client.post(URL, json={"text": TEXT, "model": "gpt"}), 422)
    assert body["valid"] == ["wordcount", "slow", "busy", "broken", "needs-extra"]
    assert "wordcount" in body["detail"] and "'gpt'" in body["detail"]


@pytest.mark.parametrize("url", [URL, BATCH])
def test_empty_model_name_is_unknown_not_the_default(client: TestClient, url: str) -> None:
    """Only an absent or null model means the default; "" is outside the catalog (fuzz find)."""
    document = {"text": TEXT} if url == URL else {"documents": [{"text": TEXT}]}
    body = {**document, "model": ""}
    assert_problem(client.post(url, json=body), 422)


def test_unavailable_model_is_422_naming_the_extra(client: TestClient) -> None:
    body = assert_problem(client.post(URL, json={"text": TEXT, "model": "needs-extra"}), 422)
    assert "[embedding]" in body["detail"]


@pytest.mark.parametrize("url", [URL, BATCH])
def test_unknown_language_is_422_listing_languages(client: TestClient, url: str) -> None:
    payload = (
        {"text": TEXT, "language": "fr"}
        if url == URL
        else {"documents": [{"text": TEXT, "language": "fr"}]}
    )
    body = assert_problem(client.post(url, json=payload), 422)
    message = json.dumps(body)
    for valid in ("'auto'", "'pt'", "'en'"):
        assert valid in message


# -- top_n / max_ngram out of range → 422 -----------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("top_n", 0),
        ("top_n", -3),
        ("top_n", 101),
        ("top_n", 10**30),
        ("max_ngram", 0),
        ("max_ngram", 7),
        ("diversity", 1.5),
        ("diversity", -0.1),
    ],
)
def test_options_out_of_range_are_422(client: TestClient, option: str, value: object) -> None:
    body = assert_problem(client.post(URL, json={"text": TEXT, option: value}), 422)
    assert option in _fields(body)


def test_nan_diversity_is_rejected(client: TestClient) -> None:
    r = _post_raw(client, b'{"text": "' + TEXT.encode() + b'", "diversity": NaN}')
    assert "diversity" in _fields(assert_problem(r, 422))


def test_limits_follow_settings(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_top_n=5, max_ngram_limit=2)
    assert client.post(URL, json={"text": TEXT, "top_n": 5}).status_code == 200
    assert_problem(client.post(URL, json={"text": TEXT, "top_n": 6}), 422)
    assert_problem(client.post(URL, json={"text": TEXT, "max_ngram": 3}), 422)


# -- invalid UTF-8 → 400 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b'{"text": "caf\xe9"}', b'{"text": "\xff\xfe"}', b'{"text": "ok \xed\xa0\x80"}']
)
def test_invalid_utf8_is_400(client: TestClient, raw: bytes) -> None:
    body = assert_problem(_post_raw(client, raw), 400)
    assert "UTF-8" in body["detail"]


# -- batch over the max documents → 422 -------------------------------------------------


def test_batch_over_max_documents_is_422(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_batch_documents=3)
    docs = [{"text": TEXT}] * 4
    body = assert_problem(client.post(BATCH, json={"documents": docs}), 422)
    assert "documents" in _fields(body)
    assert client.post(BATCH, json={"documents": docs[:3]}).status_code == 200


def test_empty_batch_is_422(client: TestClient) -> None:
    assert_problem(client.post(BATCH, json={"documents": []}), 422)


# -- unknown route → 404 JSON -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/v1/keywords/nope", "/v2/keywords/extract"])
def test_unknown_route_is_404_json(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path), 404)
    assert body["instance"] == path


def test_wrong_method_is_405_json(client: TestClient) -> None:
    assert_problem(client.get(URL), 405)
    assert_problem(client.post("/v1/models", content=b"x", headers={"Content-Type": "a/b"}), 405)


def test_unknown_route_post_is_404_whatever_the_body(client: TestClient) -> None:
    assert_problem(client.post("/v1/nope", content=b"\xff" * 10, headers={}), 404)


# -- model over the per-request time budget → 504 JSON ----------------------------------


def test_model_over_budget_is_504_json(make_client: Callable[..., TestClient]) -> None:
    client = make_client(request_timeout_s=0.3)
    body = assert_problem(client.post(URL, json={"text": TEXT, "model": "slow"}), 504)
    assert "0.3" in body["detail"]
    SlowModel.release.set()


def test_batch_over_budget_is_504_json(make_client: Callable[..., TestClient]) -> None:
    client = make_client(request_timeout_s=0.3)
    payload = {"documents": [{"text": TEXT}] * 2, "model": "slow"}
    assert_problem(client.post(BATCH, json=payload), 504)


# -- anything unexpected → 500 problem JSON, without internals --------------------------


def test_unexpected_model_error_is_500_problem_without_internals(client: TestClient) -> None:
    body = assert_problem(client.post(URL, json={"text": TEXT, "model": "broken"}), 500)
    assert "passwd" not in json.dumps(body)


# -- all errors carry the request id the monitoring middleware sets ---------------------


def test_errors_carry_the_request_id(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(), build_test_registry())
    client_headers = {"X-Request-ID": "req-42"}
    with TestClient(app, raise_server_exceptions=False) as client:
        responses = [
            client.get("/nope", headers=client_headers),
            client.post(URL, json={"text": ""}, headers=client_headers),
            _post_raw(client, b"{", "text/plain", headers=client_headers),
            _post_raw(client, b'{"text": "\xff"}', headers=client_headers),
            client.post(URL, json={"text": TEXT, "model": "broken"}, headers=client_headers),
            client.post(URL, json={"text": TEXT, "top_n": 0}, headers=client_headers),
        ]
    for r in responses:
        assert r.status_code >= 400
        assert r.json()["request_id"] == "req-42", r.text
        assert r.headers["x-request-id"] == "req-42"
