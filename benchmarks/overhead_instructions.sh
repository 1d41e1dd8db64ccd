#!/usr/bin/env bash
# Monitoring overhead in CPU instructions per request, counted by valgrind's callgrind:
# unlike seconds, instruction counts do not change with the load of a shared machine.
# Each variant of `okf.bench.overhead` runs twice (N1 and N2 requests after the same
# warm-up); the difference divided by N2-N1 cancels start-up and imports.
# Usage: benchmarks/overhead_instructions.sh [N1] [N2]   (needs valgrind)
# EXTRA="on-sdk-batch" also counts okf's monitoring with the OpenTelemetry SDK's
# BatchSpanProcessor in place of okf's span queue.
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-100}
n2=${2:-300}
py=${PYTHON:-.venv/bin/python}
# numpy's OpenBLAS starts a thread server that spins for as long as the run lasts (not
# per request): millions of instructions that differ run to run in every variant.
export OPENBLAS_NUM_THREADS=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {  # variant requests -> total instructions of the run
  valgrind --tool=callgrind --callgrind-out-file="$out/$1.$2" "$py" -m okf.bench.overhead "$1" "$2" \
    >/dev/null 2>"$out/$1.$2.log"
  grep -E '^==[0-9]+== Collected' "$out/$1.$2.log" | awk '{print $4}'
}
declare -A per
for v in off on usual ${EXTRA:-}; do
  a=$(count "$v" "$n1") b=$(count "$v" "$n2")
  per[$v]=$(( (b - a) / (n2 - n1) ))
  printf '%-6s %12d instructions/request\n' "$v" "${per[$v]}"
done
python3 - "${per[off]}" "${per[on]}" "${per[usual]}" "${per[on-sdk-batch]:-0}" <<'PY'
import json, sys
off, on, usual, sdk = map(int, sys.argv[1:])
# The issue's reference: plain FastAPI ≈ 62 µs/request on this kind of machine.
scale = 62.0 / off
print(json.dumps({
    "off_instructions": off, "on_instructions": on, "usual_instructions": usual,
    "on_over_off": round(on / off, 3), "usual_over_on": round(usual / on, 2),
    "overhead_us_at_62us_plain": round((on - off) * scale, 1),
    **({"sdk_batch_instructions": sdk, "sdk_batch_overhead_us_at_62us_plain":
        round((sdk - off) * scale, 1)} if sdk else {}),
}))
PY
