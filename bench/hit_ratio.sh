#!/usr/bin/env bash
# Owns: the cache hit-ratio comparison of stashd's eviction policies and Debian's redis-server.
# For every server and policy it starts a fresh server with a memory limit, runs
# bench/hit_ratio_client (cache-aside: GET, SET on a miss; Zipf 0.99 over N keys of 1 KiB) once
# plain and once with a one-off scan of cold keys from the middle of the measured phase, reads
# evicted_keys and used_memory over redis-cli, and prints a table and the command lines used.
# Each server runs without persistence, pinned to one core; the client runs on another.
# Builds nothing but the client: uses build/bench/hit_ratio_client, else compiles it with g++ into
# a temp dir; uses build/stashd (or $STASHD_BIN). Must not touch anything outside its temp dir.
#
# Usage: bench/hit_ratio.sh [-q] [-n KEYS] [-m MAXMEMORY] [-w WARMUP] [-r REQUESTS] [-s SCAN]
#                           [-p "STASHD POLICIES"] [-P "REDIS POLICIES"]
#   KEYS (1000000), MAXMEMORY (131mb), WARMUP (2000000) and REQUESTS (3000000) requests, SCAN
#   cold keys (200000; 0 skips the scan runs), STASHD POLICIES (allkeys-lru allkeys-lru-exact
#   allkeys-lfu allkeys-random allkeys-wtinylfu; "" skips stashd), REDIS POLICIES (allkeys-lru
#   allkeys-lfu; "" skips redis-server). -q is a smoke run: 100000 keys, 13mb, 200000 warmup,
#   300000 requests, 20000 scan (explicit flags still win).
#   SERVER_CPU (0) and CLIENT_CPU (1) choose the cores.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
stashd_bin="${STASHD_BIN:-$here/../build/stashd}"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"
quick=0
keys="" maxmemory="" warmup="" requests="" scan=""
stashd_policies="allkeys-lru allkeys-lru-exact allkeys-lfu allkeys-random allkeys-wtinylfu"
redis_policies="allkeys-lru allkeys-lfu"

while getopts "qn:m:w:r:s:p:P:h" opt; do
  case "$opt" in
    q) quick=1 ;;
    n) keys="$OPTARG" ;;
    m) maxmemory="$OPTARG" ;;
    w) warmup="$OPTARG" ;;
    r) requests="$OPTARG" ;;
    s) scan="$OPTARG" ;;
    p) stashd_policies="$OPTARG" ;;
    P) redis_policies="$OPTARG" ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
  esac
done
if (( quick )); then
  : "${keys:=100000}" "${maxmemory:=13mb}" "${warmup:=200000}" "${requests:=300000}"
  : "${scan:=20000}"
else
  : "${keys:=1000000}" "${maxmemory:=131mb}" "${warmup:=2000000}" "${requests:=3000000}"
  : "${scan:=200000}"
fi
for n in "$keys" "$warmup" "$requests" "$scan"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "not a count: $n" >&2; exit 2; }
done

for tool in redis-server redis-cli taskset timeout /usr/bin/python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "missing $tool (apt-get install redis-server redis-tools util-linux coreutils)" >&2
    exit 1
  fi
done
if (( $(nproc) < 2 )); then
  echo "warning: fewer than 2 CPUs; server and client share a core" >&2
  client_cpu="$server_cpu"
fi

workdir="$(mktemp -d /tmp/stashd-hit-ratio.XXXXXX)"
server_pid=""
server_port=""
start_error=""
result=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$workdir"
}
trap cleanup EXIT

client="$here/../build/bench/hit_ratio_client"
if [[ ! -x "$client" ]]; then
  client="$workdir/hit_ratio_client"
  echo "compiling $client"
  g++ -O2 -std=c++20 -Wall -Wextra -Werror "$here/hit_ratio_client.cpp" -o "$client"
fi

quoted() {  # the command line, shell-quoted so that an empty argument shows as ''
  local q
  printf -v q '%q ' "$@"
  echo "${q% }"
}

free_port() {
  /usr/bin/python3 -c \
    'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts one server ("redis" or "stashd") with POLICY on a fresh port; sets server_pid and
# server_port. On failure sets start_error (the first line of its stderr, else of its log) and
# returns 1. Called outside subshells so that the EXIT trap sees server_pid.
start_server() {  # kind policy
  local kind="$1" policy="$2" dir cmd
  dir="$(mktemp -d "$workdir/run.XXXXXX")"
  server_port="$(free_port)"
  if [[ "$kind" == redis ]]; then
    cmd=(redis-server --port "$server_port" --bind 127.0.0.1 --save "" --appendonly no
         --daemonize no --maxmemory "$maxmemory" --maxmemory-policy "$policy" --dir "$dir"
         --logfile "$dir/server.log")
  else
    cmd=("$stashd_bin" --port "$server_port" --bind 127.0.0.1 --maxmemory "$maxmemory"
         --maxmemory-policy "$policy" --dir "$dir" --logfile "$dir/server.log")
  fi
  echo "  server: $(quoted taskset -c "$server_cpu" "${cmd[@]}")"
  taskset -c "$server_cpu" "${cmd[@]}" >"$dir/server.out" 2>"$dir/server.err" &
  server_pid=$!
  for _ in $(seq 1 200); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null || true
      server_pid=""
      start_error="$(grep -m1 . "$dir/server.err" || true)"
      [[ -n "$start_error" ]] || start_error="$(grep -m1 . "$dir/server.log" 2>/dev/null || true)"
      start_error="did not start: ${start_error:-no message}"
      return 1
    fi
    [[ "$(redis-cli -h 127.0.0.1 -p "$server_port" ping 2>/dev/null)" == "PONG" ]] && return 0
    sleep 0.05
  done
  stop_server
  start_error="did not answer PING on port $server_port"
  return 1
}

info_field() {  # section field -> value, or n/a
  local v
  v="$(redis-cli -h 127.0.0.1 -p "$server_port" info "$1" 2>/dev/null | tr -d '\r' |
       sed -n "s/^$2:\(.*\)/\1/p")"
  echo "${v:-n/a}"
}

# A generous bound on one client run: 60 s plus 20 us per access (it does >200k per second).
client_limit=$(( 60 + (warmup + requests + scan) / 50000 ))

# Runs the client against a fresh server; sets result to "ok <client line> evicted=E
# used_memory=U" or "fail <reason>".
run_once() {  # kind policy scan
  local out rc=0 cmd
  if ! start_server "$1" "$2"; then
    result="fail $start_error"
    return 0
  fi
  cmd=("$client" --port "$server_port" --keys "$keys" --warmup "$warmup" --requests "$requests"
       --scan "$3")
  echo "  client: $(quoted timeout "$client_limit" taskset -c "$client_cpu" "${cmd[@]}")"
  out="$(timeout "$client_limit" taskset -c "$client_cpu" "${cmd[@]}" 2>"$workdir/client.err")" ||
    rc=$?
  if (( rc != 0 )); then
    stop_server
    result="fail client exit $rc: $(tail -n 1 "$workdir/client.err")"
    (( rc == 124 )) && result="fail client timed out after ${client_limit}s"
    return 0
  fi
  result="ok $out evicted=$(info_field stats evicted_keys)"
  result+=" used_memory=$(info_field memory used_memory)"
  stop_server
}

field() {  # name line
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " $2"
}

mib() {
  if [[ "$1" =~ ^[0-9]+$ ]]; then
    awk -v b="$1" 'BEGIN { printf "%.1fM", b / 1048576 }'
  else
    echo "$1"
  fi
}

# The table's columns, shared by the header and the rows (hence SC2059 below).
row_format='%-14s %-18s %-7s %-22s %-16s %-14s %s'
echo "keys=$keys maxmemory=$maxmemory warmup=$warmup requests=$requests scan=$scan;" \
     "servers on CPU $server_cpu, client on CPU $client_cpu; client $client"
redis_name="redis-$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
rows=()
failed=0
for kind in redis stashd; do
  name="$redis_name"
  policies="$redis_policies"
  if [[ "$kind" == stashd ]]; then
    name=stashd
    policies="$stashd_policies"
  fi
  for policy in $policies; do
    if [[ "$kind" == stashd && ! -x "$stashd_bin" ]]; then
      rows+=("$(printf '%-14s %-18s n/a (no binary at %s)' "$name" "$policy" "$stashd_bin")")
      continue
    fi
    echo "$name $policy"
    run_once "$kind" "$policy" 0
    plain="$result"
    echo "  $plain"
    if [[ "$plain" == "fail did not start"* ]]; then
      rows+=("$(printf '%-14s %-18s n/a (%s)' "$name" "$policy" "${plain#fail }")")
      continue
    fi
    scanned="fail skipped"
    if (( scan > 0 )); then
      run_once "$kind" "$policy" "$scan"
      scanned="$result"
      echo "  $scanned"
    fi
    [[ "$plain" == fail* ]] && failed=1
    [[ "$scanned" == "fail client"* ]] && failed=1
    hit="n/a" scan_cols="n/a" evicted="n/a" mem="n/a" secs="n/a"
    if [[ "$plain" == ok* ]]; then
      hit="$(field hit_ratio "$plain")"
      evicted="$(field evicted "$plain")"
      mem="$(mib "$(field used_memory "$plain")")"
      secs="$(field seconds "$plain")"
    fi
    if [[ "$scanned" == ok* ]]; then
      scan_cols="$(field hit_ratio "$scanned")/$(field during_scan "$scanned")"
      scan_cols+="/$(field after_scan "$scanned")"
      evicted+="/$(field evicted "$scanned")"
      mem+="/$(mib "$(field used_memory "$scanned")")"
      secs+="/$(field seconds "$scanned")"
    fi
    # shellcheck disable=SC2059
    rows+=("$(printf "$row_format" "$name" "$policy" "$hit" "$scan_cols" "$evicted" "$mem" \
              "$secs")")
  done
done

echo
echo "Hit ratio of the Zipf requests over the measured phase; 'with scan' is overall/during/after"
echo "the scan. evicted_keys, used_memory and measured seconds are: plain run/run with scan."
# shellcheck disable=SC2059
printf "$row_format\n" server policy hit "with scan o/d/a" evicted_keys used_memory seconds
printf '%s\n' "${rows[@]}"
exit "$failed"
