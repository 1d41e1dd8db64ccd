#!/usr/bin/env bash
# Installs the real Prometheus and Alertmanager (with promtool and amtool) that the
# stack tests start on 127.0.0.1, the PostgreSQL server the store tests start, the
# Pushgateway the batch tests push to, and the headless Chromium the web page tests (and
# `make screenshots`) drive through Playwright, when they are missing. Needs root (CI
# runs as root).
set -euo pipefail
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
# PostgreSQL server binaries: tests/store starts a throwaway cluster (initdb, pg_ctl).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v prometheus-pushgateway >/dev/null || missing+=(prometheus-pushgateway)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${missing[*]}: run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's post-install may try to start the daemons; nothing should keep running.
  pkill -x prometheus 2>/dev/null || true
  pkill -f prometheus-alertmanager 2>/dev/null || true
  # and Debian's postgresql starts a cluster of its own: the tests start their own.
  if command -v pg_ctlcluster >/dev/null; then
    for c in /etc/postgresql/*/main; do
      [ -d "$c" ] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop 2>/dev/null || true
    done
  fi
fi
