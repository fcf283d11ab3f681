#!/usr/bin/env bash
# Owns: checking the shipped Prometheus files with promtool (Debian package prometheus): the alert
# rules parse, the example prometheus.yml (scrape job + rule_files) is valid, and the rules' unit
# tests (each alert fires on the series meant to trigger it, and only then) pass.
# Exits 77 (ctest SKIP) when promtool is missing.
set -euo pipefail
dir=$(cd "$(dirname "$0")/../../packaging/prometheus" && pwd)
if ! command -v promtool >/dev/null; then
  echo "SKIPPED: promtool not installed (Debian package prometheus; scripts/deps.sh test)"
  exit 77
fi
cd "$dir"
promtool check rules stashd-alerts.yml
promtool check config prometheus.yml
promtool test rules stashd-alerts-test.yml
echo "prometheus files: all checks passed"
