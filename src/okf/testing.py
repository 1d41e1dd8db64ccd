"""Helpers the tests share (like structlog's ``testing``): ports, servers, fake models, sinks.

Shipped in the package so that every test folder (and a project embedding okf) uses the
same helpers instead of copies: :func:`free_port`, :func:`wait_until`, :func:`wait_http_ok`,
:func:`serve_in_thread` (a real uvicorn server), :func:`running_service` (okf's app in
it), :func:`okf_cli` and :func:`start_okf_serve` (okf's CLI, ``okf serve``, as child
processes), :func:`chromium` (a headless browser), the deterministic models
(:class:`WordCountModel`, :class:`DiverseWordModel`, :class:`FirstWordModel`) and the
sinks that capture what monitoring writes (:func:`log_lines`, :func:`span_sink`,
:func:`metric_sum`).
Only the overhead benchmark (``okf.bench.overhead``) uses it from inside okf.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from okf.models.base import ExtractOptions, Keyword, KeywordModel
from okf.text import Document
from okf.text.tokens import WORD

T = TypeVar("T")


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.05
) -> T:
    """Poll ``predicate`` until it returns a truthy value (returned), or fail naming
    ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def wait_http_ok(
    url: str, timeout: float, *, proc: subprocess.Popen[Any] | None = None, interval: float = 0.2
) -> None:
    """Poll ``GET url`` until it answers 200; raise ``RuntimeError`` after ``timeout``
    seconds, or at once when ``proc`` (the server being waited for) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        # OSError: refused, reset, timed out, or an HTTP error status (503 while warming).
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(interval)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:g} s")


def okf_cli(*args: str) -> list[str]:
    """The command line running okf's CLI with ``args`` in this interpreter."""
    return [sys.executable, "-m", "okf.cli", *args]


def start_okf_serve(
    env: Mapping[str, str], *args: str, ready: str = "/healthz", timeout: float = 60, **popen: Any
) -> tuple[subprocess.Popen[Any], str]:
    """``okf serve`` as a child process on a free loopback port, with exactly ``env`` as
    its environment; returns the process and its base URL once ``ready`` answers 200.

    The child leads its own session (``os.killpg(proc.pid, ...)`` stops it and its job
    workers at once); its output goes nowhere unless ``popen`` says otherwise."""
    port = free_port()
    options: dict[str, Any] = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "start_new_session": True,
        **popen,
    }
    proc = subprocess.Popen(okf_cli("serve", "--port", str(port), *args), env=dict(env), **options)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(base + ready, timeout, proc=proc, interval=0.1)
    except RuntimeError:
        proc.kill()
        proc.wait(10)
        raise
    return proc, base


@contextlib.contextmanager
def serve_in_thread(app: Any, *, timeout: float = 10.0) -> Iterator[str]:
    """Run ``app`` under a real uvicorn server on a free loopback port, in a thread;
    yields its base URL and stops the server on exit."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout, "the server to start", 0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def running_service(registry: Any = None, **overrides: Any) -> Iterator[str]:
    """okf's real app (over ``registry``, default: okf's models) in open mode on a free
    loopback port, in a thread: no keys, no warm-up, ``statistical`` by default, the
    rate limit out of the way, its data (keys, jobs database) in a temporary folder
    removed on exit. ``overrides`` are :class:`~okf.settings.Settings` fields. Yields
    the base URL."""
    import shutil
    import tempfile
    from pathlib import Path

    from okf.service.app import create_app
    from okf.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="okf-test-"))
    values: dict[str, Any] = {
        "api_keys_file": tmp / "keys.json",
        "data_dir": tmp,
        "warmup": False,
        "default_model": "statistical",
        "rate_limit_per_s": 1000.0,
        "rate_limit_burst": 1000,
        **overrides,
    }
    try:
        with serve_in_thread(create_app(Settings(**values), registry), timeout=15) as url:
            yield url
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------------------- browser

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright drives it, no downloaded browser
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, through Playwright; yields the Browser
    (for the browser tests and the documentation's screenshots alike)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


# ----------------------------------------------------------------------------- models


class WordCountModel(KeywordModel):
    """Ranks non-stopword words by frequency: real keywords, no model quality at stake.

    ``default_diversity`` (0 here) is what an unset ``diversity`` means; with an
    effective diversity above 0, a word whose first letter an earlier keyword already
    has is skipped, so diversity visibly changes the list.
    """

    name = "wordcount"
    version = "1.0"
    default_diversity = 0.0

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        spans: dict[str, list[tuple[int, int]]] = {}
        forms: dict[str, set[str]] = {}
        for tok, low, stop in zip(doc.tokens, doc.lowers, doc.stop, strict=True):
            if tok.kind == WORD and not stop:
                spans.setdefault(low, []).append((tok.start, tok.end))
                forms.setdefault(low, set()).add(tok.text)
        counts = Counter({w: len(s) for w, s in spans.items()})
        total = sum(counts.values()) or 1
        diversity = self.default_diversity if options.diversity is None else options.diversity
        ranked, initials = [], set()
        for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if diversity > 0 and w[0] in initials:
                continue
            initials.add(w[0])
            ranked.append(Keyword(w, n / total, n, tuple(spans[w]), tuple(sorted(forms[w]))))
        return ranked[: options.top_n]


class DiverseWordModel(WordCountModel):
    """:class:`WordCountModel` whose default diversity is not 0 (as ``omni``'s is not),
    so a test can tell "absent" (the model's default) from "0"."""

    name = "diverse-wordcount"
    default_diversity = 0.5


class FirstWordModel(KeywordModel):
    """Returns the first word of any object with a ``text``; fails on the word 'boom'
    (for monitoring tests, which need a model but no text processing)."""

    name = "first-word"
    version = "1"

    def extract(self, doc: Any, options: ExtractOptions) -> list[Keyword]:
        word = doc.text.split()[0]
        if word == "boom":
            raise RuntimeError("model exploded")
        return [Keyword(word, 1.0, 1, ((0, len(word)),), (word,))]


# ----------------------------------------------------------------------------- sinks


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line written to a captured log stream, parsed as JSON (fails loudly on a
    line that is not JSON: every okf log line must be)."""
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def span_sink() -> Any:
    """An in-memory span exporter: pass it to ``instrument(..., span_exporter=...)`` and
    read ``get_finished_spans()`` after ``app.state.monitoring.shutdown()``."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    return InMemorySpanExporter()


def metric_sum(text: str, name: str, **labels: str) -> float:
    """Sum of the samples ``name`` whose labels include ``labels``, in a Prometheus text
    exposition (what ``GET /metrics`` returns); 0 when there is none."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )
