"""Helpers of the stack tests: the repository's monitoring files, copies derived from
them for fast runs, and real Prometheus / Alertmanager processes on 127.0.0.1."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import yaml

from okf.testing import free_port

REPO = Path(__file__).resolve().parents[2]
PROM_DIR = REPO / "monitoring" / "prometheus"
RULES = PROM_DIR / "rules.yaml"
PROM_CONFIG = PROM_DIR / "prometheus.yml"
PROM_K8S_CONFIG = PROM_DIR / "prometheus-k8s.yml"
PROM_TESTS = sorted((PROM_DIR / "tests").glob("*.yaml"))
AM_DIR = REPO / "monitoring" / "alertmanager"
AM_CONFIG = AM_DIR / "config.yaml"
AM_TEMPLATES = AM_DIR / "templates"
GRAFANA_DIR = REPO / "monitoring" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "okf-api.json"
SLO_DASHBOARD = GRAFANA_DIR / "dashboards" / "okf-slo.json"
DASHBOARDS = (DASHBOARD, SLO_DASHBOARD)
GENERATOR = GRAFANA_DIR / "generate_dashboard.py"
SINK = AM_DIR / "dev_slack_sink.py"

PACKAGE_OF = {
    "prometheus": "prometheus",
    "promtool": "prometheus",
    "prometheus-alertmanager": "prometheus-alertmanager",
    "amtool": "prometheus-alertmanager",
}

_DURATION = re.compile(r"(\d+)([smhdwy])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(duration: str) -> int:
    """'1h30m' -> 5400 (Prometheus duration syntax, whole units)."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a duration: {duration!r}")
    return sum(int(n) * _UNIT_S[u] for n, u in parts)


def shrink(duration: str, factor: int) -> str:
    """A duration divided by factor, at least 1s: shrink('5m', 30) == '10s'."""
    return f"{max(1, seconds(duration) // factor)}s"


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fast_rules(factor: int, rules: dict | None = None) -> dict:
    """rules.yaml with every range selector, group interval and `for` divided by factor.

    The same expressions, thresholds and labels as the file: only time shrinks, so
    that an end-to-end run sees minutes of alert logic in seconds.
    """
    out = copy.deepcopy(rules if rules is not None else load_yaml(RULES))
    window = re.compile(r"\[(\d+[smhdwy]+)\]")
    for group in out["groups"]:
        if "interval" in group:
            group["interval"] = shrink(group["interval"], factor)
        for rule in group["rules"]:
            rule["expr"] = window.sub(lambda m: f"[{shrink(m.group(1), factor)}]", rule["expr"])
            if "for" in rule:
                rule["for"] = shrink(rule["for"], factor)
    return out


def alerting_rules(rules: dict | None = None) -> list[dict]:
    rules = rules if rules is not None else load_yaml(RULES)
    return [r for g in rules["groups"] for r in g["rules"] if "alert" in r]


def dashboard_queries(dashboard: dict | None = None) -> list[tuple[str, str, str]]:
    """(panel title, refId, expr) of every query of a dashboard (default: all of them)."""
    boards = ([dashboard] if dashboard is not None
              else [json.loads(p.read_text("utf-8")) for p in DASHBOARDS])
    return [(p["title"], t["refId"], t["expr"]) for d in boards for p in d["panels"]
            for t in p.get("targets", [])]



def http_json(url: str, data: object | None = None, timeout: float = 5.0) -> object:
    body = None if data is None else json.dumps(data).encode()
    req = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    if body:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def prom_query(base: str, expr: str) -> list[dict]:
    q = urllib.parse.urlencode({"query": expr})
    out = http_json(f"{base}/api/v1/query?{q}")
    assert out["status"] == "success", out
    return out["data"]["result"]


def wait_until(fn, timeout: float, interval: float = 0.25, what: str = "condition"):
    """Calls fn until it returns something truthy (returned) or timeout (AssertionError)."""
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError) as exc:
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_exc})")


class Proc:
    """A server subprocess with its output in a log file; stop() always reaps it."""

    def __init__(self, name: str, cmd: list[str], log: Path, cwd: Path | None = None,
                 env: dict | None = None) -> None:
        self.name = name
        self.cmd = cmd
        self.log = log
        self._log_f = log.open("wb")
        self.popen = subprocess.Popen(
            cmd, stdout=self._log_f, stderr=subprocess.STDOUT, cwd=cwd, env=env,
            start_new_session=True,
        )

    def output(self) -> str:
        if not self._log_f.closed:
            self._log_f.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def wait_ready(self, url: str, timeout: float = 30.0) -> None:
        def ready() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited ({self.popen.returncode}):\n"
                                     f"{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    return resp.status == 200
            except (OSError, urllib.error.URLError):
                return False

        try:
            wait_until(ready, timeout, what=f"{self.name} at {url}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- {self.name} log:\n{self.output()}") from None

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.popen.kill()
                self.popen.wait(timeout=5)
        self._log_f.close()


def binary(name: str) -> str | None:
    return shutil.which(name)


def alertmanager_config(webhook_url_file: Path, *, fast: bool, heartbeat_url: str | None = None,
                        heartbeat_token_file: Path | None = None) -> dict:
    """config.yaml with this run's Slack URL file, heartbeat URL and token file, template
    paths (and, when fast, second-long timers on every route): the same routes,
    receivers and inhibit rules."""
    cfg = load_yaml(AM_CONFIG)
    cfg["templates"] = [str(AM_DIR / t) for t in cfg["templates"]]
    for receiver in cfg["receivers"]:
        for slack in receiver.get("slack_configs", []):
            slack["api_url_file"] = str(webhook_url_file)
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = heartbeat_url or "http://127.0.0.1:9/no-heartbeat-in-this-test"
            if heartbeat_token_file is not None:
                hook["http_config"]["authorization"]["credentials_file"] = str(
                    heartbeat_token_file)
            else:
                hook.pop("http_config")
    if fast:
        for route in [cfg["route"], *cfg["route"].get("routes", [])]:
            route.update(group_wait="1s", group_interval="1s",
                         repeat_interval="1h" if route is cfg["route"] else "2s")
    return cfg


def _start_daemon(tmp: Path, procs: list[Proc], name: str, cfg: dict,
                  args: Callable[[Path, Path, int, str], list[str]]) -> str:
    """A Prometheus-family server on a free port with ``cfg`` as its config file and a
    fresh data folder (``args(config, data, port, base)`` is its command line); returns
    its base URL once ``/-/ready`` answers."""
    port = free_port()
    path = tmp / f"{name}.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    data = tmp / f"{name}-data"
    data.mkdir()
    base = f"http://127.0.0.1:{port}"
    proc = Proc(name, args(path, data, port, base), tmp / f"{name}.log")
    procs.append(proc)
    proc.wait_ready(f"{base}/-/ready")
    return base


def start_alertmanager(tmp: Path, cfg: dict, procs: list[Proc]) -> str:
    return _start_daemon(tmp, procs, "alertmanager", cfg, lambda path, data, port, base: [
        binary("prometheus-alertmanager") or "prometheus-alertmanager",
        f"--config.file={path}", f"--storage.path={data}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
        f"--web.external-url={base}", "--log.level=debug"])


def start_prometheus(tmp: Path, cfg: dict, procs: list[Proc]) -> str:
    return _start_daemon(tmp, procs, "prometheus", cfg, lambda path, data, port, base: [
        binary("prometheus") or "prometheus", f"--config.file={path}",
        f"--storage.tsdb.path={data}", f"--web.listen-address=127.0.0.1:{port}",
        "--rules.alert.resend-delay=1s", "--rules.alert.for-grace-period=1s",
        "--enable-feature=exemplar-storage", "--log.level=info"])


def start_scraping_prometheus(tmp: Path, procs: list[Proc], service: str, alertmanager: str,
                              factor: int) -> str:
    """Prometheus with the repository's rules (time shrunk ``factor`` times) scraping
    ``service`` and alerting ``alertmanager``; returns once it has scraped the service."""
    rules = tmp / "rules.yaml"
    rules.write_text(yaml.safe_dump(fast_rules(factor), sort_keys=False))
    prom = start_prometheus(tmp, prometheus_config(rules, service, alertmanager), procs)
    wait_until(lambda: prom_query(prom, 'up{job="okf"} == 1'), 40,
               what="Prometheus scraping the service")
    return prom


def start_monitoring(tmp: Path, procs: list[Proc], service: str, am_cfg: dict,
                     factor: int) -> tuple[str, str]:
    """Alertmanager with ``am_cfg``, then Prometheus alerting it and scraping ``service``
    (:func:`start_scraping_prometheus`); returns both base URLs."""
    am = start_alertmanager(tmp, am_cfg, procs)
    return am, start_scraping_prometheus(tmp, procs, service, am, factor)


def start_service(tmp: Path, procs: list[Proc], flag: Path, otlp: str | None = None) -> str:
    """The test app (tests/stack/failing_app.py) under uvicorn on a free port; with
    ``otlp`` set, traced (spans exported there), so requests carry trace ids."""
    port = free_port()
    env = {**os.environ, "OKF_STACK_FAIL_FLAG": str(flag),
           "OKF_STACK_KEYS_FILE": str(tmp / "no-keys.json"),
           "OKF_DATA_DIR": str(tmp / "okf-data")}  # its research jobs database
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    if otlp:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp
    proc = Proc("okf", [sys.executable, "-m", "uvicorn", "--factory", "--app-dir",
                        str(REPO / "tests" / "stack"), "failing_app:create",
                        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                tmp / "okf.log", cwd=REPO, env=env)
    procs.append(proc)
    base = f"http://127.0.0.1:{port}"
    proc.wait_ready(f"{base}/healthz", timeout=60)
    return base


def prometheus_config(rules_path: Path, service: str, alertmanager: str) -> dict:
    """prometheus.yml with this run's ports, rules and 1s intervals; jobs, relabelling
    and alerting as in the file."""
    cfg = load_yaml(PROM_CONFIG)
    cfg["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s")
    cfg["rule_files"] = [str(rules_path)]
    (am,) = cfg["alerting"]["alertmanagers"]
    am["static_configs"] = [{"targets": [alertmanager.removeprefix("http://")]}]
    (job,) = [j for j in cfg["scrape_configs"] if j["job_name"] == "okf"]
    job["static_configs"] = [{"targets": [service.removeprefix("http://")]}]
    return cfg
