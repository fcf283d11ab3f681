#!/usr/bin/env bash
# Installs what is missing, builds stashd and runs one node in the foreground on 127.0.0.1:6379
# with config/stashd.yaml. Extra arguments are passed to stashd (e.g. --port 7000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh --target stashd
exec build/stashd --config config/stashd.yaml "$@"
