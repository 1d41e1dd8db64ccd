"""Settings are documented: a description on every field, and one row per variable with
its default in docs/api.md and in the README table, which list no variable Settings
does not read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from okf.settings import Settings, env_name

ROOT = Path(__file__).resolve().parents[2]
API_DOC = ROOT / "docs" / "api.md"
README = ROOT / "README.md"
_VARIABLE_ROW = re.compile(r"^\| `((?:OKF|OTEL|PROMETHEUS)_[A-Z_]+)` \|")


def _rows(doc: Path) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in doc.read_text().splitlines():
        if match := _VARIABLE_ROW.match(line):
            rows.setdefault(match.group(1), []).append(line)
    return rows


def _expected_default(name: str) -> str | None:
    default = Settings.model_fields[name].get_default(call_default_factory=True)
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, Path):
        return "~/" + str(default.relative_to(Path.home()))
    if default is None:
        return None  # documented in words ("CPUs available", "the catalog's default")
    return str(default)


@pytest.mark.parametrize("doc", [API_DOC, README], ids=["api.md", "README"])
@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_described_and_documented_with_its_default(doc: Path, name: str) -> None:
    assert Settings.model_fields[name].description, f"Settings.{name} needs a description"
    rows = _rows(doc).get(env_name(name), [])
    assert len(rows) == 1, f"{doc.name} needs one settings row for {env_name(name)}"
    expected = _expected_default(name)
    if expected is not None:
        assert f"`{expected}`" in rows[0], f"{rows[0]!r} should show the default {expected!r}"


@pytest.mark.parametrize("doc", [API_DOC, README], ids=["api.md", "README"])
def test_docs_list_no_variable_settings_does_not_read(doc: Path) -> None:
    read = {env_name(name) for name in Settings.model_fields}
    assert set(_rows(doc)) - read == set()


def test_settings_read_okf_and_standard_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKF_MAX_TOP_N", "7")
    monkeypatch.setenv("OKF_INSECURE", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    monkeypatch.setenv("OKF_TORCH_THREADS", "2")
    settings = Settings()
    assert (settings.max_top_n, settings.insecure) == (7, True)
    assert settings.tracing_enabled and settings.torch_threads == 2
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not Settings().tracing_enabled
