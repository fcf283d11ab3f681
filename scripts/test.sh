#!/usr/bin/env bash
# Installs what is missing (build and test tools), builds everything and runs every test: unit tests
# (GoogleTest) and integration tests (the real binary on loopback ports with redis-cli and
# python3-redis). Exits non-zero on any failure; the last line is ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh
cd build
ctest --output-on-failure --timeout 600 -j 2 "$@"
