"""API keys, open mode on loopback only, and the per-key rate limit."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from okf.monitoring.context import client_var, user_var
from okf.service.app import create_app
from okf.service.auth import InsecureBindError, check_open_mode, is_loopback
from okf.service.keys import KeyStore, add_key, hash_key, read_records, remove_key
from okf.settings import Settings

from .support import assert_problem, build_test_registry

URL = "/v1/keywords/extract"
BODY = {"text": "Keyword extraction ranks phrases of a text."}


# -- API keys -----------------------------------------------------------------------------


def test_no_key_is_401_json_with_challenge(
    make_client: Callable[..., TestClient], api_key: str
) -> None:
    client = make_client()
    r = client.post(URL, json=BODY)
    body = assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "X-API-Key" in body["detail"]
    assert_problem(client.get("/v1/models"), 401)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer okf_wrong"},
        {"X-API-Key": "okf_wrong"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
)
def test_bad_key_is_401(
    make_client: Callable[..., TestClient], api_key: str, headers: dict[str, str]
) -> None:
    assert_problem(make_client().post(URL, json=BODY, headers=headers), 401)


def test_auth_comes_before_body_parsing(
    make_client: Callable[..., TestClient], api_key: str
) -> None:
    client = make_client()
    r = client.post(URL, content=b"{not json", headers={"Content-Type": "application/json"})
    assert_problem(r, 401)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_bearer_and_x_api_key_both_work(
    make_client: Callable[..., TestClient], api_key: str, scheme: str
) -> None:
    client = make_client()
    ok = client.post(URL, json=BODY, headers={"Authorization": f"{scheme} {api_key}"})
    assert ok.status_code == 200, ok.text
    ok = client.post(URL, json=BODY, headers={"X-API-Key": api_key})
    assert ok.status_code == 200, ok.text


def test_health_and_docs_need_no_key(make_client: Callable[..., TestClient], api_key: str) -> None:
    client = make_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_caller_identity_reaches_request_state_and_log_context(
    make_settings: Callable[..., Settings], api_key: str
) -> None:
    app = create_app(make_settings(), build_test_registry())
    seen: dict[str, object] = {}

    @app.get("/v1/whoami")
    async def whoami(request: Request) -> dict[str, str]:
        seen.update(
            state=(request.state.user, request.state.client_name),
            context=(user_var.get(), client_var.get()),
        )
        return {}

    with TestClient(app) as client:
        assert client.get("/v1/whoami", headers={"X-API-Key": api_key}).status_code == 200
    assert seen == {"state": ("alice", "laptop"), "context": ("alice", "laptop")}


def test_keys_added_while_running_are_accepted(
    make_client: Callable[..., TestClient], keys_file: Path, api_key: str
) -> None:
    client = make_client()
    client.app.state.keys.reload_interval_s = 0.0
    second = add_key(keys_file, "bob-ci", user="bob", client="ci")
    assert client.post(URL, json=BODY, headers={"X-API-Key": second}).status_code == 200
    assert remove_key(keys_file, "bob-ci")
    assert_problem(client.post(URL, json=BODY, headers={"X-API-Key": second}), 401)


# -- key store -----------------------------------------------------------------------------


def test_key_file_stores_only_hashes(keys_file: Path) -> None:
    key = add_key(keys_file, "svc", user="u", client="c")
    raw = keys_file.read_text()
    assert key not in raw and key[4:] not in raw
    assert hash_key(key) in raw
    assert keys_file.stat().st_mode & 0o077 == 0  # owner-only
    [record] = read_records(keys_file)
    assert (record.name, record.user, record.client) == ("svc", "u", "c")
    assert key.startswith("okf_") and len(key) >= 40


def test_key_names_are_unique_and_keys_random(keys_file: Path) -> None:
    a = add_key(keys_file, "a")
    b = add_key(keys_file, "b")
    assert a != b
    with pytest.raises(ValueError, match="already exists"):
        add_key(keys_file, "a")
    store = KeyStore(keys_file)
    assert store.lookup(a).name == "a"  # type: ignore[union-attr]
    assert store.lookup(b).name == "b"  # type: ignore[union-attr]
    assert store.lookup(a + "x") is None


def test_corrupt_key_file_refuses_to_start(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    settings.api_keys_file.write_text("{not json")
    with pytest.raises(RuntimeError, match="not a valid okf key store"):
        create_app(settings, build_test_registry())


# -- open mode: only on loopback ---------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com", ""])
def test_non_loopback_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_open_mode_on_loopback_says_so(
    make_client: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="okf.service"):
        client = make_client()
    assert "OPEN" in caplog.text and "loopback" in caplog.text
    assert client.post(URL, json=BODY).status_code == 200  # no key needed


def test_no_keys_on_public_address_refuses_to_start(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(InsecureBindError, match="--insecure"):
        create_app(make_settings(host="0.0.0.0"), build_test_registry())


def test_insecure_flag_allows_open_public_bind(
    make_client: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="okf.service"):
        client = make_client(host="0.0.0.0", insecure=True)
    assert "--insecure" in caplog.text
    assert client.post(URL, json=BODY).status_code == 200


def test_public_bind_with_keys_requires_them(
    make_client: Callable[..., TestClient], api_key: str
) -> None:
    client = make_client(host="0.0.0.0")
    assert_problem(client.post(URL, json=BODY), 401)
    assert client.post(URL, json=BODY, headers={"X-API-Key": api_key}).status_code == 200


def test_public_bind_stays_closed_if_all_keys_are_removed(
    make_client: Callable[..., TestClient], api_key: str, keys_file: Path
) -> None:
    client = make_client(host="0.0.0.0")
    client.app.state.keys.reload_interval_s = 0.0
    remove_key(keys_file, "alice-laptop")
    assert_problem(client.post(URL, json=BODY), 401)


def test_check_open_mode_messages() -> None:
    assert check_open_mode("0.0.0.0", 2, insecure=False) is None
    assert "loopback" in (check_open_mode("127.0.0.1", 0, insecure=False) or "")


# -- rate limit ----------------------------------------------------------------------------------


def test_rate_limit_is_per_key_with_retry_after(
    make_client: Callable[..., TestClient], keys_file: Path, api_key: str
) -> None:
    other = add_key(keys_file, "other")
    client = make_client(rate_limit_per_s=0.01, rate_limit_burst=3)
    for _ in range(3):
        assert client.get("/v1/models", headers={"X-API-Key": api_key}).status_code == 200
    r = client.get("/v1/models", headers={"X-API-Key": api_key})
    body = assert_problem(r, 429)
    assert int(r.headers["retry-after"]) >= 99  # one token per 100 s
    assert "exceeded" in body["detail"]
    # Another key has its own bucket.
    assert client.get("/v1/models", headers={"X-API-Key": other}).status_code == 200


def test_rate_limit_applies_in_open_mode(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_per_s=0.01, rate_limit_burst=1)
    assert client.post(URL, json=BODY).status_code == 200
    assert_problem(client.post(URL, json=BODY), 429)
    assert client.get("/healthz").status_code == 200  # probes are never limited


def test_rate_limit_zero_disables(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_per_s=0, rate_limit_burst=1)
    for _ in range(5):
        assert client.get("/v1/models").status_code == 200


def test_unauthenticated_requests_do_not_spend_a_keys_tokens(
    make_client: Callable[..., TestClient], api_key: str
) -> None:
    client = make_client(rate_limit_per_s=0.01, rate_limit_burst=1)
    for _ in range(5):
        assert_problem(client.get("/v1/models", headers={"X-API-Key": "okf_bad"}), 401)
    assert client.get("/v1/models", headers={"X-API-Key": api_key}).status_code == 200
    assert json.loads(client.get("/healthz").text) == {"status": "ok"}
