#!/usr/bin/env bash
# `make stack`: the service, Prometheus and Alertmanager on 127.0.0.1 with the
# repository's monitoring files; prints their URLs; Ctrl-C stops them all.
#
#   OKF_PORT (8000)  PROMETHEUS_PORT (9090)  ALERTMANAGER_PORT (9093)
#   SLACK_WEBHOOK_URL_FILE  a file holding a real Slack webhook URL; without it a local
#                           fake webhook prints every notification in this terminal
#   HEARTBEAT_URL           the dead man's switch the Watchdog pings (with
#   HEARTBEAT_TOKEN_FILE    its bearer token); without it a local fake one, silent
#   OKF_STACK_DIR           data and derived configs (default ~/.local/state/okf-stack)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
OKF=$ROOT/.venv/bin/okf
OKF_PORT=${OKF_PORT:-8000}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-9093}
STATE=${OKF_STACK_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/okf-stack}

if ! command -v prometheus >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
  bash scripts/ensure-debian-tools.sh
fi
for tool in prometheus prometheus-alertmanager "$OKF" "$PY"; do
  command -v "$tool" >/dev/null || { echo "stack: $tool not found (run make install)" >&2; exit 1; }
done
for port in "$OKF_PORT" "$PROMETHEUS_PORT" "$ALERTMANAGER_PORT"; do
  if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
    echo "stack: port $port on 127.0.0.1 is in use (set OKF_PORT / PROMETHEUS_PORT / ALERTMANAGER_PORT)" >&2
    exit 1
  fi
done
mkdir -p "$STATE/prometheus" "$STATE/alertmanager"

PIDS=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "stack: stopping"
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup INT TERM EXIT

wait_ready() {  # name url pid
  for _ in $(seq 1 120); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$2" 2>/dev/null; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || { echo "stack: $1 exited; see $STATE/$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "stack: $1 not ready at $2; see $STATE/$1.log" >&2
  exit 1
}

# Slack: the real webhook from a file, or the local fake one.
WEBHOOK_FILE=${SLACK_WEBHOOK_URL_FILE:-}
if [ -z "$WEBHOOK_FILE" ]; then
  WEBHOOK_FILE=$STATE/fake-slack-webhook-url
  rm -f "$WEBHOOK_FILE"
  "$PY" monitoring/alertmanager/dev_slack_sink.py --url-file "$WEBHOOK_FILE" &
  PIDS+=($!)
  for _ in $(seq 1 40); do [ -s "$WEBHOOK_FILE" ] && break; sleep 0.25; done
  [ -s "$WEBHOOK_FILE" ] || { echo "stack: fake Slack webhook did not start" >&2; exit 1; }
fi

# The Watchdog heartbeat: the real dead man's switch, or a local fake one (not echoed).
HB_URL=${HEARTBEAT_URL:-}
if [ -z "$HB_URL" ]; then
  rm -f "$STATE/fake-heartbeat-url"
  "$PY" monitoring/alertmanager/dev_slack_sink.py --quiet --url-file "$STATE/fake-heartbeat-url" &
  PIDS+=($!)
  for _ in $(seq 1 40); do [ -s "$STATE/fake-heartbeat-url" ] && break; sleep 0.25; done
  [ -s "$STATE/fake-heartbeat-url" ] || { echo "stack: fake heartbeat did not start" >&2; exit 1; }
  HB_URL=$(cat "$STATE/fake-heartbeat-url")
fi

# Copies of prometheus.yml and config.yaml with this run's ports and paths; everything
# else (rules, jobs, routes, receivers, inhibit rules, templates) is the files' own.
"$PY" - "$ROOT" "$STATE" "$OKF_PORT" "$ALERTMANAGER_PORT" "$WEBHOOK_FILE" "$HB_URL" \
  "${HEARTBEAT_TOKEN_FILE:-}" <<'PYEOF'
import sys, pathlib, yaml
root, state, okf_port, am_port, webhook, hb_url, hb_token = sys.argv[1:]
root, state = pathlib.Path(root), pathlib.Path(state)
prom = yaml.safe_load((root / "monitoring/prometheus/prometheus.yml").read_text())
prom["rule_files"] = [str(root / "monitoring/prometheus" / f) for f in prom["rule_files"]]
prom["alerting"]["alertmanagers"][0]["static_configs"] = [{"targets": [f"127.0.0.1:{am_port}"]}]
for job in prom["scrape_configs"]:
    if job["job_name"] == "okf":
        job["static_configs"] = [{"targets": [f"127.0.0.1:{okf_port}"]}]
(state / "prometheus.yml").write_text(yaml.safe_dump(prom, sort_keys=False))
am = yaml.safe_load((root / "monitoring/alertmanager/config.yaml").read_text())
am["templates"] = [str(root / "monitoring/alertmanager" / t) for t in am["templates"]]
for receiver in am["receivers"]:
    for slack in receiver.get("slack_configs", []):
        slack["api_url_file"] = webhook
    for hook in receiver.get("webhook_configs", []):
        hook["url"] = hb_url
        if hb_token:
            hook["http_config"]["authorization"]["credentials_file"] = hb_token
        else:
            hook.pop("http_config", None)
(state / "alertmanager.yml").write_text(yaml.safe_dump(am, sort_keys=False))
PYEOF

"$OKF" serve --host 127.0.0.1 --port "$OKF_PORT" >"$STATE/okf.log" 2>&1 &
PIDS+=($!); OKF_PID=$!
prometheus-alertmanager --config.file="$STATE/alertmanager.yml" \
  --storage.path="$STATE/alertmanager" --cluster.listen-address= \
  --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
  --web.external-url="http://127.0.0.1:$ALERTMANAGER_PORT" >"$STATE/alertmanager.log" 2>&1 &
PIDS+=($!); AM_PID=$!
prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/prometheus" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
  --web.external-url="http://127.0.0.1:$PROMETHEUS_PORT" \
  --enable-feature=exemplar-storage >"$STATE/prometheus.log" 2>&1 &
PIDS+=($!); PROM_PID=$!

wait_ready okf "http://127.0.0.1:$OKF_PORT/healthz" "$OKF_PID"
wait_ready alertmanager "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" "$AM_PID"
wait_ready prometheus "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" "$PROM_PID"

cat <<MSG
stack: running (logs and data in $STATE)
  service       http://127.0.0.1:$OKF_PORT          (API docs /docs, metrics /metrics)
  Prometheus    http://127.0.0.1:$PROMETHEUS_PORT          (alerts /alerts, targets /targets)
  Alertmanager  http://127.0.0.1:$ALERTMANAGER_PORT
  Slack         $( [ -n "${SLACK_WEBHOOK_URL_FILE:-}" ] && echo "webhook from $SLACK_WEBHOOK_URL_FILE" || echo "fake webhook: notifications are printed here")
  Heartbeat     $HB_URL (Watchdog, every minute)
  Grafana       not started: see docs/alerts.md (OKF_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT)
Ctrl-C stops everything.
MSG

# Stop everything as soon as one of them exits (or on Ctrl-C, through the trap).
wait -n "${PIDS[@]}" || true
echo "stack: a process exited; see the logs in $STATE" >&2
exit 1
