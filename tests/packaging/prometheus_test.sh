#!/usr/bin/env bash
# Owns: checking the shipped Prometheus files (packaging/prometheus) with promtool (Debian package
# prometheus): the alert rules parse, the example prometheus.yml (scrape job + rule_files) is
# valid, the rules' unit tests pass (each alert fires on the series meant to trigger it, and only
# then), and every stashd_* series the rules use is really served on /metrics by a primary with
# a replica (both started here on free loopback ports, stopped by pid).
# Exits 77 (ctest SKIP) when promtool is missing.
# Usage: prometheus_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
dir=$(cd "$(dirname "$0")/../../packaging/prometheus" && pwd)
if ! command -v promtool >/dev/null; then
  echo "SKIPPED: promtool not installed (Debian package prometheus; scripts/deps.sh test)"
  exit 77
fi
cd "$dir"
promtool check rules stashd-alerts.yml
promtool check config prometheus.yml
promtool test rules stashd-alerts-test.yml

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stashd-prom.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.05; done
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port) http=$(free_port) replica_port=$(free_port)
mkdir "$tmp/primary" "$tmp/replica"
"$build/stashd" --port "$port" --http-port "$http" --dir "$tmp/primary" --save "" \
    --repl-diskless-sync no >"$tmp/primary.log" 2>&1 &
pids+=($!)
wait_for 20 redis-cli -p "$port" ping || fail "primary did not start"
"$build/stashd" --port "$replica_port" --dir "$tmp/replica" --save "" \
    --replicaof "127.0.0.1 $port" >"$tmp/replica.log" 2>&1 &
pids+=($!)
redis-cli -p "$port" set k v >/dev/null
redis-cli -p "$port" incr k >/dev/null || true  # an error reply counts in command errors
wait_for 30 bash -c "redis-cli -p $port info replication | grep -q 'state=online'" \
  || fail "the replica never came online: $(tail -3 "$tmp/replica.log")"
curl -sf "http://127.0.0.1:$http/metrics" >"$tmp/metrics" || fail "no /metrics on http-port"
missing=()
for name in $(grep -o 'stashd_[a-z_]*' stashd-alerts.yml | sort -u); do
  grep -q "^$name[{ ]" "$tmp/metrics" || missing+=("$name")
done
((${#missing[@]} == 0)) || fail "/metrics lacks series the alert rules use: ${missing[*]}"
echo "ok: every stashd_* series in stashd-alerts.yml is on a primary's /metrics"
echo "prometheus files: all checks passed"
