"""Fixtures of the browser tests: one server and one Chromium per module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from okf.testing import CHROMIUM, chromium, running_service


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_service() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} missing: run scripts/ensure-debian-tools.sh as root")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh context's page, with console errors and page errors collected."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()
