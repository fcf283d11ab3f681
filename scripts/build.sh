#!/usr/bin/env bash
# Configures (Release, Ninja) and builds stashd into build/. Extra arguments go to cmake --build.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTASHD_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)" "$@"
