#!/usr/bin/env bash
# Owns: the entry point named in the README for the memory-per-key benchmark; the work is done by
# bench/memory_per_key.py under Debian's /usr/bin/python3. Flags pass through:
#   bench/memory_per_key.sh [--keys N] [--value-size BYTES] [--ttl] [--only redis|stashd]
set -euo pipefail
exec /usr/bin/python3 "$(cd "$(dirname "$0")" && pwd)/memory_per_key.py" "$@"
