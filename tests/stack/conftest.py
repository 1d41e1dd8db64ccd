"""Fixtures of the stack tests: the real Prometheus/Alertmanager binaries (Debian's
packages, installed by scripts/ensure-debian-tools.sh), server processes that are always
stopped, and a local HTTP server standing in for Slack's webhook."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import pytest

from .support import PACKAGE_OF, SINK, Proc, binary


def _require(name: str) -> str:
    path = binary(name)
    if path is None:
        pytest.skip(f"`{name}` not installed (Debian package {PACKAGE_OF[name]}; "
                    "scripts/ensure-debian-tools.sh installs it)")
    return path


def _binary_fixture(name: str) -> Any:
    """A session fixture: the path of the Debian tool ``name``, or the test is skipped."""

    @pytest.fixture(scope="session")
    def path() -> str:
        return _require(name)

    return path


promtool = _binary_fixture("promtool")
amtool = _binary_fixture("amtool")
prometheus_bin = _binary_fixture("prometheus")
alertmanager_bin = _binary_fixture("prometheus-alertmanager")


@pytest.fixture
def procs(request: pytest.FixtureRequest):
    """Processes started by a test; stopped (last first) whatever the outcome, with
    their logs printed when the test failed."""
    started: list[Proc] = []

    def stop_all() -> None:
        failed = getattr(request.node, "rep_call", None)
        for proc in reversed(started):
            proc.stop()
            if failed is not None and failed.failed:
                sys.stderr.write(f"\n--- {proc.name} log ({proc.log}):\n{proc.output()}\n")

    request.addfinalizer(stop_all)
    return started


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.when == "call":
        item.rep_call = rep
    return rep


def _sink_module():
    spec = importlib.util.spec_from_file_location("okf_dev_slack_sink", SINK)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def slack_sink(tmp_path):
    """A fake Slack webhook on 127.0.0.1 and a file holding its URL (api_url_file)."""
    sink = _sink_module().SlackSink().start()
    url_file = tmp_path / "slack-webhook-url"
    url_file.write_text(sink.url + "\n", encoding="utf-8")
    sink.url_file = url_file
    yield sink
    sink.stop()


@pytest.fixture
def heartbeat_sink(tmp_path):
    """A local webhook standing in for the dead man's switch, and the bearer token file
    Alertmanager sends with each ping."""
    sink = _sink_module().SlackSink().start()
    token_file = tmp_path / "heartbeat-token"
    token_file.write_text("test-heartbeat-token\n", encoding="utf-8")
    sink.token_file = token_file
    sink.token = "test-heartbeat-token"
    yield sink
    sink.stop()
