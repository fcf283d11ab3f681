#!/usr/bin/env bash
# Installs the Debian packages stashd needs, only those missing (idempotent).
# Usage: scripts/deps.sh build   - compiler, CMake and the libraries
#        scripts/deps.sh server  - only what building the stashd binaries needs (the Docker image)
#        scripts/deps.sh test    - build plus the test tools (redis-cli, redis-server, python3-redis,
#                                  promtool from prometheus, systemd-analyze, logrotate and curl
#                                  for the packaging tests)
set -euo pipefail
server_pkgs=(g++ cmake ninja-build pkg-config libasio-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
             libxxhash-dev libcli11-dev libjemalloc-dev liblz4-dev libsystemd-dev libcpp-httplib-dev)
build_pkgs=("${server_pkgs[@]}" ccache libgtest-dev libgmock-dev libbenchmark-dev)
test_pkgs=(redis-tools redis-server python3 python3-redis procps iproute2 systemd logrotate
           prometheus curl)
case "${1:-build}" in
  server) want=("${server_pkgs[@]}") ;;
  test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) want=("${build_pkgs[@]}") ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  # The tests only need the programs: Debian's redis-server and prometheus packages would start
  # system services (Prometheus listening on every interface at :9090). While installing, a
  # policy-rc.d (Debian's invoke-rc.d policy hook) refuses every service start, unless the host
  # already has one of its own.
  policy=/usr/sbin/policy-rc.d
  own_policy=no
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=yes
  fi
  status=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  if [[ $own_policy == yes ]]; then $SUDO rm -f "$policy"; fi
  ((status == 0)) || exit "$status"
fi
