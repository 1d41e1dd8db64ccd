"""Settings are documented: a description on every field, a row with its default in the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from okf.settings import Settings

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _row(name: str) -> str:
    rows = [
        line for line in API_DOC.read_text().splitlines() if f"| `OKF_{name.upper()}` |" in line
    ]
    assert len(rows) == 1, f"docs/api.md needs one settings row for OKF_{name.upper()}"
    return rows[0]


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_described_and_documented_with_its_default(name: str) -> None:
    field = Settings.model_fields[name]
    assert field.description, f"Settings.{name} needs a description"
    row = _row(name)
    default = field.get_default(call_default_factory=True)
    if isinstance(default, bool):
        expected = str(default).lower()
    elif isinstance(default, Path):
        expected = "~/" + str(default.relative_to(Path.home()))
    elif default is None:
        return  # documented in words ("CPUs available", "the catalog's default")
    else:
        expected = str(default)
    assert f"`{expected}`" in row, f"{row!r} should show the default {expected!r}"


def test_settings_read_okf_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKF_MAX_TOP_N", "7")
    monkeypatch.setenv("OKF_INSECURE", "true")
    settings = Settings()
    assert (settings.max_top_n, settings.insecure) == (7, True)
