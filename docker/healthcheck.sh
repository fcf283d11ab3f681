#!/bin/sh
# Owns: the image's HEALTHCHECK: `redis-cli ping` on the port and first bind address stashd (PID 1)
# was started with (--port/-p, --bind/-b), else those of its config file, else 6379 on 127.0.0.1.
# Healthy on PONG, or NOAUTH when a password is set; -LOADING and no answer are unhealthy.
arg_after() {
  tr '\0' '\n' </proc/1/cmdline | awk -v a="$1" -v b="$2" 'prev == a || prev == b { print; exit } { prev = $0 }'
}
config=$(arg_after --config -c)
config=${config:-/etc/stashd/stashd.yaml}
port=$(arg_after --port -p)
[ -n "$port" ] || port=$(awk '/^port:/ { print $2; exit }' "$config" 2>/dev/null)
host=$(arg_after --bind -b | awk '{ print $1 }')
[ -n "$host" ] || host=$(awk '/^bind:/ { print $2; exit }' "$config" 2>/dev/null)
case "$host" in ""|"*"|0.0.0.0) host=127.0.0.1 ;; "::"|"::*") host=::1 ;; esac
reply=$(redis-cli -h "$host" -p "${port:-6379}" ping 2>&1)
case "$reply" in
  PONG|NOAUTH*) exit 0 ;;
  *) echo "stashd on $host:${port:-6379}: $reply"; exit 1 ;;
esac
