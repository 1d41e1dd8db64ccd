"""The SLO dashboard (okf-slo.json): attainment, error budget left, burn rate per SLI
window, and the alerts' state, all from the recording rules of rules.yaml."""

from __future__ import annotations

from panels import Layout, dashboard, stat, target, thresholds, timeseries

SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def burn_rates(slo: str) -> list[dict]:
    """One burn-rate series per SLI window: bad ratio / the SLO's error budget."""
    return [
        target(f'sum by (slo) (okf:slo_errors:ratio_rate{w}{{slo="{slo}"}}) / on (slo) '
               f'sum by (slo) (okf:slo_error_budget:ratio{{slo="{slo}"}})', w, chr(65 + i))
        for i, w in enumerate(SLO_WINDOWS)
    ]


def build_slo() -> dict:
    """The SLO dashboard: attainment, budget left, burn rates per window, alert states."""
    lay = Layout()
    for slo, objective in (("availability", "99.9 % of requests without a 5xx"),
                           ("latency", "99 % of requests within 1 s")):
        lay.add(stat(
            f"{slo.capitalize()} SLO (30d)",
            f"Share of good requests over 30 days; objective: {objective} "
            "(okf:slo_objective:ratio).",
            [target(f'1 - sum by (slo) (okf:slo_errors:ratio_rate30d{{slo="{slo}"}})',
                    "{{slo}}", "A")],
            "percentunit", 3, thresholds((None, "red"), (0.99 if slo == "latency" else 0.999,
                                                         "green"))), w=6, h=5)
    lay.add(stat(
        "Error Budget Remaining (30d)",
        "Share of each SLO's 30-day error budget not yet spent. Below 0: overspent.",
        [target("sum by (slo) (okf:slo_error_budget_remaining:ratio_30d)", "{{slo}}", "A")],
        "percentunit", 1, thresholds((None, "red"), (0.25, "orange"), (0.5, "green"))),
        w=12, h=5)
    for slo in ("availability", "latency"):
        lay.add(timeseries(
            f"Burn Rate per Window ({slo})",
            "Bad-request ratio over each window divided by the error budget: 1 spends the "
            "budget in exactly 30 days. Pages at 14.4 (1h and 5m) or 6 (6h and 30m); "
            "tickets at 3 (1d and 2h) or 1 (3d and 6h).",
            burn_rates(slo), "none"), w=12, h=8)
    lay.add(timeseries(
        "Alerts' State",
        "Every okf alert pending or firing, by name and state (ALERTS). The Watchdog "
        "always fires: if it disappears, Prometheus is not evaluating rules.",
        [target("sum by (alertname, alertstate) (ALERTS)", "{{alertname}} {{alertstate}}",
                "A")], "none"), w=24, h=8)
    return dashboard("okf-slo", "OKF — SLOs",
                     "Omni Keywords Finder: service level objectives, error budget, burn "
                     "rates and alerts.", lay.panels)
