#!/usr/bin/env bash
# Owns: the side-by-side throughput comparison of stashd and Debian's redis-server with
# redis-benchmark (SET, GET, INCR, MSET of 10 keys at pipeline depth 1 and 16; LPUSH, LPOP, HSET,
# SADD, ZADD, LRANGE_100 at depth 16 only; 50 clients; 100-byte values; keys, or the fields and
# members of one hash, set and sorted set, drawn from 1M random names; the list tests use one
# list), interleaved over several rounds, printing per-test medians and the stashd/redis ratio.
# Both servers run without persistence, pinned to one core; redis-benchmark runs on another.
# Builds nothing: uses build/stashd (or $STASHD_BIN).
#
# Usage: bench/compare_redis.sh [-r ROUNDS] [-n N_P1] [-N N_P16] [-c CLIENTS] [-t TESTS]
#   ROUNDS (3), N_P1 requests per run at -P 1 (100000), N_P16 at -P 16 (200000), CLIENTS (50),
#   TESTS a redis-benchmark -t list (set,get,incr,mset,lpush,lpop,hset,sadd,zadd,lrange_100);
#   the collection tests only run at -P 16. LPOP pops what LPUSH pushed in the same run: select
#   both (lpop alone pops an empty list).
#   -f FSYNC runs both servers with the append-only file on (--appendonly yes --appendfsync
#   FSYNC: always, everysec or no); by default neither persists.
#   SERVER_CPU (0) and CLIENT_CPU (1) choose the cores.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
stashd_bin="${STASHD_BIN:-$here/../build/stashd}"
rounds=3
n_p1=100000
n_p16=200000
clients=50
tests="set,get,incr,mset,lpush,lpop,hset,sadd,zadd,lrange_100"
# Tests that run at -P 16 only (collection commands; their P1 numbers would add little but time).
p16_only=" lpush lpop hset sadd zadd lrange_100 "
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"

fsync=""
while getopts "r:n:N:c:t:f:h" opt; do
  case "$opt" in
    r) rounds="$OPTARG" ;;
    n) n_p1="$OPTARG" ;;
    N) n_p16="$OPTARG" ;;
    c) clients="$OPTARG" ;;
    t) tests="$OPTARG" ;;
    f) fsync="$OPTARG" ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done

# Split the selection: tests_p1 leaves out the -P 16-only tests; an empty list skips that depth.
tests_p1=""
tests_p16=""
IFS=, read -ra selected <<< "$tests"
for t in "${selected[@]}"; do
  [[ -z "$t" ]] && continue
  tests_p16+="${tests_p16:+,}$t"
  [[ "$p16_only" == *" ${t,,} "* ]] || tests_p1+="${tests_p1:+,}$t"
done
[[ -n "$tests_p16" ]] || { echo "no tests selected" >&2; exit 2; }

for tool in redis-server redis-benchmark redis-cli taskset /usr/bin/python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "missing $tool (apt-get install redis-server redis-tools util-linux)" >&2
    exit 1
  fi
done
[[ -x "$stashd_bin" ]] || { echo "no stashd binary at $stashd_bin: build it first" >&2; exit 1; }
if (( $(nproc) < 2 )); then
  echo "warning: fewer than 2 CPUs; server and client share a core" >&2
  client_cpu="$server_cpu"
fi

free_port() {
  /usr/bin/python3 -c \
    'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

workdir="$(mktemp -d /tmp/stashd-compare.XXXXXX)"
redis_pid=""
stashd_pid=""
cleanup() {
  local pid
  for pid in "$redis_pid" "$stashd_pid"; do
    if [[ -n "$pid" ]]; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$workdir"
}
trap cleanup EXIT

wait_ready() {  # port pid name
  for _ in $(seq 1 200); do
    kill -0 "$2" 2>/dev/null || { echo "$3 exited during start-up" >&2; exit 1; }
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == "PONG" ]] && return 0
    sleep 0.05
  done
  echo "$3 did not answer PING on port $1" >&2
  exit 1
}

redis_port="$(free_port)"
stashd_port="$(free_port)"
mkdir -p "$workdir/redis" "$workdir/stashd"
aof_args=(--appendonly no)
[[ -n "$fsync" ]] && aof_args=(--appendonly yes --appendfsync "$fsync")
taskset -c "$server_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" \
  "${aof_args[@]}" --daemonize no --dir "$workdir/redis" --logfile "$workdir/redis.log" &
redis_pid=$!
taskset -c "$server_cpu" "$stashd_bin" --port "$stashd_port" --bind 127.0.0.1 --save "" \
  "${aof_args[@]}" --dir "$workdir/stashd" --logfile "$workdir/stashd.log" &
stashd_pid=$!
wait_ready "$redis_port" "$redis_pid" redis-server
wait_ready "$stashd_port" "$stashd_pid" stashd

redis_version="$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
echo "redis-server $redis_version (pid $redis_pid, port $redis_port)" \
     "vs $("$stashd_bin" --version) (pid $stashd_pid, port $stashd_port);" \
     "servers on CPU $server_cpu, redis-benchmark on CPU $client_cpu; $rounds rounds"

results="$workdir/results.tsv"
: > "$results"
for round in $(seq 1 "$rounds"); do
  for pipeline in 1 16; do
    n="$n_p1"
    run_tests="$tests_p1"
    if (( pipeline == 16 )); then
      n="$n_p16"
      run_tests="$tests_p16"
    fi
    [[ -n "$run_tests" ]] || continue
    for server in redis stashd; do
      port="$redis_port"
      [[ "$server" == stashd ]] && port="$stashd_port"
      redis-cli -h 127.0.0.1 -p "$port" flushall >/dev/null
      cmd=(taskset -c "$client_cpu" redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients"
           -n "$n" -d 100 -r 1000000 -P "$pipeline" -t "$run_tests" --csv)
      echo "round $round: ${cmd[*]}"
      # CSV rows: "TEST","rps",latencies...; the header row starts with "test". LRANGE_* runs are
      # preceded by an "LPUSH (needed to benchmark LRANGE)" fill, which is not reported.
      "${cmd[@]}" | tr -d '"' | awk -F, -v s="$server" -v p="$pipeline" \
        '$1 != "test" && $1 !~ /needed to benchmark/ && NF > 1 {
           printf "%s\tP%s\t%s\t%s\n", s, p, $1, $2 }' >> "$results"
    done
  done
done

/usr/bin/python3 - "$results" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    server, pipeline, test, rps = line.rstrip("\n").split("\t")
    runs.setdefault((test, pipeline), {}).setdefault(server, []).append(float(rps))
print()
w = max([18] + [len(test) + 2 for test, _ in runs])  # "LRANGE_100 (first 100 elements)"
print(f"{'test':<{w}}{'pipeline':>9}{'redis rps':>14}{'stashd rps':>14}{'stashd/redis':>14}   runs")
for (test, pipeline), by in sorted(runs.items(), key=lambda kv: (kv[0][1] != "P1", kv[0][0])):
    r = statistics.median(by.get("redis", [0]))
    s = statistics.median(by.get("stashd", [0]))
    ratio = s / r if r else float("nan")
    print(f"{test:<{w}}{pipeline:>9}{r:>14.0f}{s:>14.0f}{ratio:>14.2f}   "
          f"redis {by.get('redis')} stashd {by.get('stashd')}")
EOF
