#!/usr/bin/env bash
# Owns: the entry point for the memory-per-element benchmark (one 1M-element hash, set and sorted
# set per server); the work is done by bench/memory_per_element.py under Debian's /usr/bin/python3.
# Flags pass through:
#   bench/memory_per_element.sh [--elements N] [--structures hash,set,zset] [--only redis|stashd]
set -euo pipefail
exec /usr/bin/python3 "$(cd "$(dirname "$0")" && pwd)/memory_per_element.py" "$@"
