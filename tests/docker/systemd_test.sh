#!/usr/bin/env bash
# Owns: stashd.service under a real systemd (PID 1 of a container with no network at all, so the
# node and systemd touch nothing of the host): the unit starts Type=notify with its hardening and
# reports "Ready to accept connections"; the stashd user made by the install runs it; the
# watchdog pings (WatchdogTimestamp moves) and restarts a node whose loop is stuck (DEBUG SLEEP
# past WatchdogSec, lowered by a drop-in); with a log file, the installed logrotate snippet
# rotates it and `systemctl reload` (SIGHUP) makes stashd reopen it; `systemctl stop` saves and
# exits 0 and the data is back after a start. Docker comes from docker_env.sh (exit 77, ctest
# SKIP, when there is none). The container is removed on any exit.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
source "$src/tests/docker/docker_env.sh"
cid=""
cleanup() {
  set +e
  if [[ -n $cid ]]; then
    [[ ${keep_logs:-} ]] && docker exec "$cid" journalctl -u stashd --no-pager | tail -40
    docker rm -f -v "$cid" >/dev/null 2>&1
  fi
  stop_started_dockerd
}
trap cleanup EXIT

start=$SECONDS
docker build --network host -q --target build -t stashd:build-stage -f "$src/docker/Dockerfile" \
  "$src" >/dev/null || fail "docker build (build stage)"
docker build --network host -q -t stashd:systemd-test -f "$src/tests/docker/systemd.Dockerfile" \
  "$src/tests/docker" >/dev/null || fail "docker build (systemd test image)"
echo "ok: images built in $((SECONDS - start)) s"

cid=$(docker run -d --network none --tmpfs /run --tmpfs /run/lock \
      -v /sys/fs/cgroup:/sys/fs/cgroup:ro stashd:systemd-test)
keep_logs=1
inside() { docker exec "$cid" "$@"; }
prop() { inside systemctl show stashd.service -p "$1" --value; }
system_up() { [[ $(inside systemctl is-system-running 2>/dev/null) =~ ^(running|degraded)$ ]]; }
wait_for 60 system_up || {
  inside systemctl --failed --no-pager || true
  skip "systemd does not come up in a container here"
}
wait_for 60 bash -c "[[ \$(docker exec $cid systemctl is-active stashd) == active ]]" \
  || fail "stashd.service not active: $(inside systemctl status stashd --no-pager)"
[[ $(prop StatusText) == "Ready to accept connections" ]] || fail "status: $(prop StatusText)"
[[ $(prop Type) == notify ]] || fail "not Type=notify"
[[ $(inside ps -o user= -C stashd) == stashd ]] || fail "not running as the stashd user"
[[ $(inside redis-cli ping) == PONG ]] || fail "no PONG"
# Output is captured before grep: with pipefail, grep -q quitting early could fail the writer.
grep -q '^process_supervised:systemd' <<<"$(inside redis-cli info server)" || fail "process_supervised"
echo "ok: stashd.service active (Type=notify, READY after start-up), runs as stashd"

# Watchdog: pings move WatchdogTimestamp; a loop stuck past WatchdogSec is restarted.
inside mkdir -p /etc/systemd/system/stashd.service.d
inside sh -c 'printf "[Service]\nWatchdogSec=2s\n" >/etc/systemd/system/stashd.service.d/watchdog.conf'
inside systemctl daemon-reload
inside systemctl restart stashd
first=$(prop WatchdogTimestampMonotonic)
wait_for 10 bash -c "[[ \$(docker exec $cid systemctl show stashd -p WatchdogTimestampMonotonic --value) != $first ]]" \
  || fail "no WATCHDOG=1 seen by systemd"
restarts=$(prop NRestarts)
inside redis-cli debug sleep 5 >/dev/null 2>&1 || true
wait_for 30 bash -c "[[ \$(docker exec $cid systemctl show stashd -p NRestarts --value) -gt $restarts ]]" \
  || fail "a stuck loop was not restarted by the watchdog"
wait_for 10 bash -c "docker exec $cid journalctl -u stashd --no-pager | grep -c 'Watchdog timeout' >/dev/null" \
  || fail "no watchdog timeout logged"
wait_for 30 bash -c "[[ \$(docker exec $cid redis-cli ping) == PONG ]]" || fail "not back after restart"
inside rm /etc/systemd/system/stashd.service.d/watchdog.conf
echo "ok: watchdog pings reach systemd; a loop stuck past WatchdogSec is restarted"

# Logging to a file: the installed logrotate snippet + systemctl reload (SIGHUP).
inside sh -c 'printf "[Service]\nExecStart=\nExecStart=/usr/bin/stashd --config /etc/stashd/stashd.yaml --supervised systemd --logfile /var/log/stashd/stashd.log\n" >/etc/systemd/system/stashd.service.d/logfile.conf'
inside systemctl daemon-reload
inside systemctl restart stashd
wait_for 20 inside grep -q "Ready to accept connections" /var/log/stashd/stashd.log \
  || fail "no log file under /var/log/stashd"
inside logrotate --force /etc/logrotate.d/stashd || fail "logrotate"
wait_for 20 inside grep -q "Log file reopened" /var/log/stashd/stashd.log \
  || fail "stashd did not reopen the log at its path after logrotate's reload"
inside test -f /var/log/stashd/stashd.log.1 || fail "no rotated file"
inside grep -q "Received SIGHUP" /var/log/stashd/stashd.log.1 || fail "rotated file lacks the SIGHUP line"
echo "ok: logrotate rotates the log; systemctl reload makes stashd reopen it"

# Stop saves (default save points) and exits 0; the data comes back on start.
inside redis-cli set greeting hello >/dev/null
inside redis-cli mset a 1 b 2 >/dev/null
inside systemctl stop stashd
[[ $(prop Result) == success && $(prop ExecMainStatus) == 0 ]] \
  || fail "stop: Result=$(prop Result) status=$(prop ExecMainStatus)"
inside test -s /var/lib/stashd/dump.rdb || fail "no final snapshot in /var/lib/stashd"
[[ $(inside stat -c %U /var/lib/stashd/dump.rdb) == stashd ]] || fail "snapshot not owned by stashd"
inside systemctl start stashd
[[ $(inside redis-cli get greeting) == hello ]] || fail "data not loaded after start"
echo "ok: systemctl stop saves and exits 0; start loads the data before READY"
keep_logs=
echo "systemd: all checks passed"
