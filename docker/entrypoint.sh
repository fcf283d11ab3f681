#!/bin/sh
# Owns: the image's entry point. With no arguments or options only (`--port 7000 --replicaof
# "127.0.0.1 7000"`), runs stashd with /etc/stashd/stashd.yaml (unless --config/-c is given) and the
# arguments passed through unchanged; anything else (`redis-cli -p 7000`, `sh`) runs as given.
# stashd replaces this shell (exec), so it is PID 1 and receives docker stop's SIGTERM itself.
set -e
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
  has_config=no
  for arg in "$@"; do
    case "$arg" in --config|-c|--config=*) has_config=yes ;; esac
  done
  if [ "$has_config" = no ]; then
    set -- --config /etc/stashd/stashd.yaml "$@"
  fi
  set -- stashd "$@"
fi
exec "$@"
