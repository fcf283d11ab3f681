#!/usr/bin/env bash
# Owns: checking what `cmake --install` lays out (binaries, stashd.service, the packaged
# /etc/stashd/stashd.yaml, sysusers.d/tmpfiles.d/logrotate snippets, data and log directories),
# that a reinstall keeps an edited config, that the packaged config starts a node, and that the
# installed logrotate snippet rotates a live node's log (postrotate SIGHUP, new file at the path).
# Installs only under a temporary DESTDIR; stops the node it starts by pid.
# Usage: install_layout_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/stashd-install.XXXXXX")
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Polls a command (no fixed sleeps): wait_for SECONDS CMD...
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.05; done
}

DESTDIR="$root" cmake --install "$build" --prefix /usr >"$root.log" 2>&1 || { cat "$root.log"; fail "cmake --install"; }
rm -f "$root.log"
for f in usr/bin/stashd usr/bin/stashd-check-aof usr/lib/systemd/system/stashd.service \
         etc/stashd/stashd.yaml usr/lib/sysusers.d/stashd.conf usr/lib/tmpfiles.d/stashd.conf \
         etc/logrotate.d/stashd usr/share/doc/stashd/operations.md; do
  [[ -f $root/$f ]] || fail "not installed: /$f"
done
for d in var/lib/stashd var/log/stashd; do [[ -d $root/$d ]] || fail "no directory /$d"; done
[[ -x $root/usr/bin/stashd ]] || fail "stashd is not executable"
unit=$root/usr/lib/systemd/system/stashd.service
for line in 'Type=notify' 'User=stashd' 'ExecReload=/bin/kill -HUP $MAINPID' \
            'ExecStart=/usr/bin/stashd --config /etc/stashd/stashd.yaml --supervised systemd' \
            'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ReadWritePaths=-/var/lib/stashd -/var/log/stashd' \
            'LimitNOFILE=65536' 'WatchdogSec=30s' 'Restart=on-failure'; do
  grep -qxF "$line" "$unit" || fail "stashd.service lacks '$line'"
done
if grep -n '@' "$unit"; then fail "unrendered @VARIABLE@ left in stashd.service"; fi
config=$root/etc/stashd/stashd.yaml
grep -qx 'dir: /var/lib/stashd' "$config" || fail "packaged config: dir is not /var/lib/stashd"
echo "ok: layout under --prefix /usr"

# A reinstall (an upgrade) keeps the operator's config and puts the new default beside it.
echo "maxclients: 1234" >>"$config"
DESTDIR="$root" cmake --install "$build" --prefix /usr >/dev/null
grep -qx 'maxclients: 1234' "$config" || fail "reinstall overwrote the edited stashd.yaml"
[[ -f $config.new ]] || fail "reinstall did not write stashd.yaml.new"
echo "ok: reinstall keeps an edited config"

# The packaged config starts a node, with `dir` pointed into the temp root (a config file's dir
# must exist when the file loads, before command-line overrides apply).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$root/var/lib/stashd
logs=$root/var/log/stashd
sed "s#^dir: /var/lib/stashd\$#dir: $data#" "$config.new" >"$root/test.yaml"
"$root/usr/bin/stashd" --config "$root/test.yaml" --port "$port" \
    --logfile "$logs/stashd.log" --supervised no &
pid=$!
wait_for 20 bash -c "redis-cli -p $port ping 2>/dev/null | grep -q PONG" || fail "packaged config: no PONG"
[[ $(redis-cli -p "$port" config get dir | tail -1) == "$data" ]] || fail "dir not taken"
echo "ok: the packaged config starts a node"

# The installed logrotate snippet, with the node's paths and root as the user (no stashd user
# here) and a postrotate that signals this node as systemctl reload would.
if command -v logrotate >/dev/null; then
  sed -e "s#/var/log/stashd#$logs#" -e 's/stashd stashd/root root/' \
      -e "s#systemctl reload stashd.service.*#kill -HUP $pid#" \
      "$root/etc/logrotate.d/stashd" >"$root/logrotate.conf"
  wait_for 10 grep -q "Ready to accept connections" "$logs/stashd.log" || fail "no log line"
  logrotate --force --state "$root/logrotate.state" "$root/logrotate.conf" || fail "logrotate failed"
  [[ -f $logs/stashd.log.1 ]] || fail "logrotate did not move the log"
  wait_for 10 grep -q "Log file reopened" "$logs/stashd.log" || fail "no new log at the original path"
  redis-cli -p "$port" save >/dev/null
  wait_for 10 grep -q "DB saved on disk" "$logs/stashd.log" || fail "new lines not in the new file"
  grep -q "DB saved on disk" "$logs/stashd.log.1" && fail "new lines went to the rotated file"
  echo "ok: logrotate moves the log and the node reopens it"
else
  echo "SKIPPED part: logrotate not installed (scripts/deps.sh test installs it)"
fi
kill -TERM "$pid"
wait "$pid" || fail "stashd exited non-zero on SIGTERM"
pid=""
echo "install layout: all checks passed"
