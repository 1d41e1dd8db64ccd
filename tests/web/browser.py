"""Headless Debian Chromium through Playwright, a real okf server, and axe-core.

One browser per test module (starting Chromium costs seconds); each test gets a fresh
context (no cookies, no sessionStorage). The server is the real app under uvicorn on a
free loopback port, serving the fast ``statistical`` model by default.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from okf.service.app import create_app
from okf.settings import Settings
from okf.testing import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VENDOR = Path(__file__).parent / "vendor"


@contextmanager
def running_server(registry: Any = None, **overrides: Any) -> Iterator[str]:
    """The real app (over ``registry``, default: okf's) on 127.0.0.1:<free port>;
    yields its base URL."""
    tmp = Path(tempfile.mkdtemp(prefix="okf-web-"))
    values: dict[str, Any] = {
        "api_keys_file": tmp / "keys.json",
        "warmup": False,
        "default_model": "statistical",
        "rate_limit_per_s": 1000.0,
        "rate_limit_burst": 1000,
    }
    if "data_dir" in Settings.model_fields:  # the research jobs' database goes here
        values["data_dir"] = tmp
    values.update(overrides)
    app = create_app(Settings(**values), registry)
    try:
        with serve_in_thread(app, timeout=15) as url:
            yield url
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's) with a fresh profile; yields the Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_source() -> str:
    """axe-core's script, after checking it is the vendored version."""
    data = (VENDOR / "axe.min.js").read_bytes()
    expected = next(
        line.split("|")[5].strip()
        for line in (VENDOR / "VENDOR.md").read_text().splitlines()
        if line.startswith("| axe.min.js")
    )
    actual = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert actual == expected, "tests/web/vendor/axe.min.js differs from VENDOR.md"
    return data.decode("utf-8")


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page (injected by the test) and keep serious/critical ones."""
    page.evaluate(axe_source())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
