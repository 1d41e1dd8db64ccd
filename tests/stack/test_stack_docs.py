"""The docs cite the rules as they are: docs/alerts.md's table holds every alert of
rules.yaml with its group, expression, `for`, severity, receiver and runbook, and every
alert or rule-group name that the monitoring docs and runbooks mention exists."""

from __future__ import annotations

import re
import subprocess

import pytest

from .support import AM_CONFIG, REPO, RULES, load_yaml

ALERTS_MD = REPO / "docs" / "alerts.md"
CITING = [ALERTS_MD, REPO / "docs" / "monitoring.md",
          *sorted((REPO / "docs" / "runbooks").glob("*.md"))]
# Backticked names in those docs that are not rule groups (index, dashboards, datasources).
NOT_GROUPS = {"okf-logs", "okf-logs*", "okf-logs-*", "okf-api.json", "okf-slo.json",
              "okf-prometheus", "okf-jaeger", "okf-elasticsearch"}


def rules_by_alert() -> dict[str, tuple[str, dict]]:
    return {r["alert"]: (g["name"], r) for g in load_yaml(RULES)["groups"]
            for r in g["rules"] if "alert" in r}


def table_rows() -> dict[str, list[str]]:
    section = ALERTS_MD.read_text().split("## Alerts\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("| alert | group |", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[cells[0].strip("`")] = cells
    return rows


def receiver_of(amtool: str, labels: dict[str, str]) -> str:
    out = subprocess.run([amtool, "config", "routes", "test", f"--config.file={AM_CONFIG}",
                          *[f"{k}={v}" for k, v in labels.items()]],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_alert_table_lists_every_alert_once():
    assert set(table_rows()) == set(rules_by_alert())


@pytest.mark.parametrize("alert", sorted(rules_by_alert()))
def test_each_row_matches_the_rule_and_the_routing(alert, amtool):
    group, rule = rules_by_alert()[alert]
    _, g, expr, for_, severity, receiver, runbook = table_rows()[alert]
    assert g == f"`{group}`"
    assert expr.strip("`").replace("\\|", "|") == " ".join(rule["expr"].split())
    assert for_ == rule.get("for", "—")
    assert severity == rule["labels"]["severity"]
    assert receiver == receiver_of(amtool, {"alertname": alert, **rule["labels"]})
    link = re.fullmatch(r"\[[^\]]+\]\(([^)]+)\)", runbook)
    assert link and "docs/" + link.group(1) == rule["annotations"]["runbook_url"]


def test_alert_names_cited_in_the_docs_exist():
    alerts = set(rules_by_alert())
    wrong = []
    for path in CITING:
        text = path.read_text()
        cited = set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\*?)`", text))
        title = re.match(r"# Runbook: (.*)", text)
        if title:
            cited |= set(re.findall(r"([A-Z][A-Za-z]+) \(", title.group(1)))
        for name in cited:
            ok = (any(a.startswith(name[:-1]) for a in alerts) if name.endswith("*")
                  else name in alerts)
            if not ok:
                wrong.append(f"{path.relative_to(REPO)}: {name}")
    assert not wrong, wrong


def test_rule_groups_cited_in_the_docs_exist():
    groups = {g["name"] for g in load_yaml(RULES)["groups"]}
    wrong = [f"{p.relative_to(REPO)}: {name}" for p in CITING
             for name in set(re.findall(r"`(okf-[a-z0-9*.-]+)`", p.read_text()))
             if name not in groups | NOT_GROUPS]
    assert not wrong, wrong


def test_the_checks_catch_drift(tmp_path):
    """A renamed group or alert in the text is caught by the same patterns."""
    text = "the `okf-slo-objectives` group; see `AvailabilityBurnFast`"
    assert set(re.findall(r"`(okf-[a-z0-9*.-]+)`", text)) - {
        g["name"] for g in load_yaml(RULES)["groups"]} == {"okf-slo-objectives"}
    assert set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\*?)`", text)) - set(
        rules_by_alert()) == {"AvailabilityBurnFast"}
