"""Security properties, checked on the real service and on the repository itself."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from okf.monitoring import logging as okf_logging
from okf.service import keys as keys_module
from okf.service.app import create_app
from okf.service.keys import KeyStore, add_key, new_key
from okf.settings import Settings
from tests.service.support import build_test_registry

from .support import REPO, SHORT_TEXT, Service

URL = "/v1/keywords/extract"


@pytest.fixture
def keyed_service(tmp_path: Path) -> Iterator[tuple[Service, list[str], str]]:
    """`okf serve` (the production entry point) with two keys, a /metrics token, DEBUG
    logs, a small rate limit (so 429s happen too)."""
    keys_file = tmp_path / "keys.json"
    keys = [
        add_key(keys_file, "alice-laptop", user="alice", client="laptop"),
        add_key(keys_file, "ci", user="bot", client="ci"),
    ]
    token = secrets.token_urlsafe(24)
    (tmp_path / "metrics-token").write_text(token + "\n")
    env = {
        "OKF_API_KEYS_FILE": str(keys_file),
        "OKF_METRICS_TOKEN_FILE": str(tmp_path / "metrics-token"),
        "OKF_LOG_LEVEL": "DEBUG",
        "OKF_RATE_LIMIT_PER_S": "1",
        "OKF_RATE_LIMIT_BURST": "30",
    }
    service = Service(tmp_path, env, factory=None)
    try:
        yield service, keys, token
    finally:
        service.stop()


def test_keys_and_token_never_reach_logs_or_bodies(
    keyed_service: tuple[Service, list[str], str],
) -> None:
    service, keys, token = keyed_service
    alice, ci = keys
    near_miss = alice[:-1] + ("A" if alice[-1] != "A" else "B")
    seen: list[httpx.Response] = []
    with httpx.Client(base_url=service.base, timeout=10) as c:

        def send(method: str, path: str, **kw: object) -> httpx.Response:
            r = c.request(method, path, **kw)  # type: ignore[arg-type]
            seen.append(r)
            return r

        ok = {"text": SHORT_TEXT, "top_n": 3}
        assert send("POST", URL, json=ok, headers={"Authorization": f"Bearer {alice}"}).is_success
        assert send("POST", URL, json=ok, headers={"X-API-Key": ci}).is_success
        batch = {"documents": [{"id": 1, "text": SHORT_TEXT}]}
        assert send("POST", URL + "/batch", json=batch, headers={"X-API-Key": ci}).is_success
        assert send("GET", "/v1/models", headers={"X-API-Key": alice}).is_success
        for bad in (near_miss, alice.upper(), alice[:-1], "okf_" + "x" * 43):
            r = send("POST", URL, json=ok, headers={"Authorization": f"Bearer {bad}"})
            assert r.status_code == 401
            r = send("POST", URL, json=ok, headers={"X-API-Key": bad})
            assert r.status_code == 401
        auth = {"X-API-Key": alice}
        as_json = {**auth, "content-type": "application/json"}
        assert send("POST", URL, content=b"{", headers=as_json).status_code == 400
        as_text = {**auth, "content-type": "text/plain"}
        assert send("POST", URL, content=b"x", headers=as_text).status_code == 415
        unknown = {"text": SHORT_TEXT, "model": "nope"}
        assert send("POST", URL, json=unknown, headers=auth).status_code == 422
        assert send("POST", URL, json={"text": "  "}, headers=auth).status_code == 422
        assert send("GET", URL, headers=auth).status_code == 405
        assert send("GET", "/v1/nowhere", headers=auth).status_code in (401, 404)
        assert send("GET", "/metrics").status_code == 401
        wrong = {"Authorization": f"Bearer {near_miss}"}
        assert send("GET", "/metrics", headers=wrong).status_code == 401
        right = {"Authorization": f"Bearer {token}"}
        assert send("GET", "/metrics", headers=right).status_code == 200
        by_ci = {"X-API-Key": ci}
        codes = [send("GET", "/v1/models", headers=by_ci).status_code for _ in range(40)]
        assert 429 in codes
    service.stop()
    log = "\n".join(service.lines)
    assert log.count('"message":"api_request"') >= len(seen) - 3  # /metrics is a probe
    bodies = "\n".join(r.text + json.dumps(dict(r.headers)) for r in seen)
    hashes = [hashlib.sha256(k.encode()).hexdigest() for k in keys]
    secrets_ = [alice, ci, near_miss, token, *hashes]
    for secret in secrets_:
        assert secret not in log
        assert secret not in bodies
        # Nor a long piece of one (a truncated key is still a leak).
        assert secret[4:24] not in log


def test_the_key_store_holds_only_hashes(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    key = add_key(path, "k", user="u", client="c")
    stored = path.read_text()
    assert key not in stored and key[4:20] not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    assert path.stat().st_mode & 0o077 == 0  # 0600: not readable by others


def test_lookup_compares_every_hash_in_constant_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys.json"
    stored = [add_key(path, f"k{i}") for i in range(5)]
    store = KeyStore(path)
    calls: list[tuple[str, str]] = []
    real = keys_module.hmac.compare_digest

    def counting(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keys_module.hmac, "compare_digest", counting)
    for key in (stored[0], stored[4], new_key()):
        calls.clear()
        store.lookup(key)
        assert len(calls) == 5  # no early exit on a match, no dict lookup by hash


def _logged_client(trusted: list[str], peer: str, xff: str | None, tmp_path: Path) -> str:
    stream = io.StringIO()
    original = okf_logging.configure_logging
    import okf.monitoring.wiring as monitoring

    monitoring_configure = monitoring.configure_logging
    monitoring.configure_logging = lambda **kw: original(**{**kw, "stream": stream})  # type: ignore[assignment]
    try:
        settings = Settings(
            api_keys_file=tmp_path / "none.json", warmup=False, trusted_proxies=trusted
        )
        app = create_app(settings, build_test_registry())
    finally:
        monitoring.configure_logging = monitoring_configure  # type: ignore[assignment]
    headers = {"X-Forwarded-For": xff} if xff else {}
    with TestClient(app, client=(peer, 40000)) as client:
        assert client.post(URL, json={"text": SHORT_TEXT}, headers=headers).status_code == 200
    lines = [json.loads(x) for x in stream.getvalue().split("\n") if x.startswith("{")]
    return next(x["client"] for x in lines if x["message"] == "api_request")


def test_x_forwarded_for_is_believed_only_from_trusted_proxies(tmp_path: Path) -> None:
    # An untrusted peer cannot choose the address the logs record.
    assert _logged_client([], "203.0.113.7", "198.51.100.1", tmp_path) == "203.0.113.7"
    assert _logged_client(["10.0.0.2"], "203.0.113.7", "198.51.100.1", tmp_path) == "203.0.113.7"
    # From a trusted proxy, the nearest untrusted hop is the client; hops the caller
    # prepended (spoofed) are further away and ignored.
    assert _logged_client(["10.0.0.2"], "10.0.0.2", "198.51.100.1", tmp_path) == "198.51.100.1"
    chain = "6.6.6.6, 198.51.100.1, 10.0.0.3"
    assert _logged_client(["10.0.0.2", "10.0.0.3"], "10.0.0.2", chain, tmp_path) == "198.51.100.1"


def test_no_server_version_header_and_random_request_ids(
    keyed_service: tuple[Service, list[str], str],
) -> None:
    service, (alice, _), _ = keyed_service
    ids: list[str] = []
    with httpx.Client(base_url=service.base, timeout=10) as c:
        for path in ("/healthz", "/readyz", "/nope", "/v1/models", "/openapi.json"):
            r = c.get(path)
            assert "server" not in r.headers, r.headers
            assert "x-powered-by" not in r.headers
        r = c.post(URL, json={"text": SHORT_TEXT}, headers={"X-API-Key": alice})
        assert "server" not in r.headers and r.status_code == 200
        for _ in range(400):
            ids.append(c.get("/healthz").headers["x-request-id"])
        # An id the caller sends is kept only when it is sane; otherwise a fresh one.
        sane = c.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert sane.headers["x-request-id"] == "abc-123"
        hostile = c.get("/healthz", headers={"X-Request-ID": "a b<script>" + "x" * 200})
        assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)  # 128 random bits each
    # No counter, no clock: every hex digit position takes (nearly) all 16 values, and
    # consecutive ids share no more leading digits than chance allows.
    for pos in range(32):
        assert len({i[pos] for i in ids}) >= 14, pos
    shared = [len(_common_prefix(a, b)) for a, b in itertools.pairwise(ids)]
    assert max(shared) <= 4 and sum(shared) / len(shared) < 0.2


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < len(a) and a[n] == b[n]:
        n += 1
    return a[:n]


# Key-shaped strings and webhook URLs; none may be committed (keys and the Slack URL come
# only from files or the environment, see docs/alerts.md and docs/deploy.md).
SECRET_PATTERNS = {
    # okf_ + 43 url-safe characters (256 random bits), with a digit and a capital: this
    # leaves out identifiers such as test_okf_serve_flags_reach_the_environment.
    "okf API key": re.compile(
        r"(?<![\w-])okf_(?=[\w-]*[0-9])(?=[\w-]*[A-Z])[A-Za-z0-9_-]{43}(?![\w-])"
    ),
    "Slack webhook": re.compile(r"hooks\.slack\.com/(services|workflows)/[A-Za-z0-9_/-]{8,}"),
    "Slack token": re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
}


def _repo_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    return [REPO / name for name in listed if name and (REPO / name).is_file()]


def test_the_scanner_finds_what_it_looks_for() -> None:
    webhook = "https://hooks.slack.com/" + "services/" + "T0000/B0000/" + "x" * 24
    key = "okf_" + "aB3" * 14 + "z"  # shaped like new_key()'s output
    assert len(key) == len(new_key())
    for sample in (key, webhook):
        assert any(p.search(sample) for p in SECRET_PATTERNS.values()), sample


def test_no_secret_in_the_repository_tree() -> None:
    files = _repo_files()
    assert len(files) > 50
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files carry no key-shaped text we would have written
        for name, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(REPO)}: {name}: {match.group(0)[:24]}…")
    assert not found, "\n".join(found)
