# Sourced by the docker tests (compose_test.sh, systemd_test.sh). Owns: making sure a Docker
# engine answers, or exiting 77 (ctest SKIP) with a "SKIPPED: docker not available (...)" line;
# starting dockerd through ../shared/tools/docker-up.sh only when docker is installed but not
# running (never installing it), recording its pid in $dockerd_pid for stop_started_dockerd;
# wait_for polling; free_port. Needs $src (the repository root).
skip() { echo "SKIPPED: docker not available ($*)"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# Polls a command (no fixed sleeps): wait_for SECONDS CMD...
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.2; done
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
dockerd_pid=""
stop_started_dockerd() {
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null
    while kill -0 "$dockerd_pid" 2>/dev/null; do sleep 0.2; done
  fi
}
if ! docker info >/dev/null 2>&1; then
  up=$src/../shared/tools/docker-up.sh
  command -v docker >/dev/null || skip "no docker client"
  if command -v dockerd >/dev/null && command -v docker-compose >/dev/null \
     && command -v debootstrap >/dev/null && [[ -f $up && $(id -u) == 0 ]]; then
    echo "docker installed but not running: starting it with $up"
    bash "$up" || skip "docker-up.sh could not start dockerd"
    dockerd_pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  else
    skip "no running daemon, and starting one would need installing docker"
  fi
fi
docker image inspect debian:bookworm-slim >/dev/null 2>&1 \
  || skip "no local debian:bookworm-slim base image (../shared/tools/docker-up.sh builds it)"
