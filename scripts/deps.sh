#!/usr/bin/env bash
# Installs the Debian packages stashd needs, only those missing (idempotent).
# Usage: scripts/deps.sh build   - compiler, CMake and the libraries
#        scripts/deps.sh test    - the above plus the test tools (redis-cli, redis-server, python3-redis)
set -euo pipefail
build_pkgs=(g++ cmake ninja-build pkg-config ccache libasio-dev libspdlog-dev libfmt-dev
            libyaml-cpp-dev libxxhash-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev
            liblz4-dev libsystemd-dev)
test_pkgs=(redis-tools redis-server python3 python3-redis procps iproute2)
want=("${build_pkgs[@]}")
[[ "${1:-build}" == "test" ]] && want+=("${test_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's redis-server package may start a system instance on 6379; stashd's tests use their own
# ports and their own redis-server processes, so it is left as it is.
