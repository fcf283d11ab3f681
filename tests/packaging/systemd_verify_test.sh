#!/usr/bin/env bash
# Owns: `systemd-analyze verify` (no warnings at all) and `systemd-analyze security` (exposure at
# most 5.0) on the stashd.service that `cmake --install` writes, offline under a temporary root
# (DESTDIR) that also holds the system's target units and /usr/bin/kill the unit refers to.
# Exits 77 (ctest SKIP) when systemd-analyze is missing or cannot run here.
# Usage: systemd_verify_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIPPED: systemd-analyze not installed (Debian package systemd; scripts/deps.sh test)"
  exit 77
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/stashd-verify.XXXXXX")
trap 'rm -rf "$root"' EXIT
DESTDIR="$root" cmake --install "$build" --prefix /usr >/dev/null
# A merged-/usr root like Debian 12's, with the units stashd.service depends on.
ln -s usr/bin "$root/bin"
cp /usr/bin/kill "$root/usr/bin/kill"
system_units=/usr/lib/systemd/system
[[ -d $system_units ]] || system_units=/lib/systemd/system
cp -P "$system_units"/*.target "$system_units"/*.slice "$root/usr/lib/systemd/system/" 2>/dev/null || true
unit=/usr/lib/systemd/system/stashd.service
if ! out=$(systemd-analyze verify --root="$root" "$unit" 2>&1); then
  if grep -q "Failed to .*bus\|Operation not permitted" <<<"$out"; then
    echo "SKIPPED: systemd-analyze cannot run in this container: $out"
    exit 77
  fi
  echo "FAIL: systemd-analyze verify: $out" >&2
  exit 1
fi
if [[ -n $out ]]; then
  echo "FAIL: systemd-analyze verify warned: $out" >&2
  exit 1
fi
echo "ok: systemd-analyze verify stashd.service (no warnings)"
security=$(systemd-analyze security --offline=yes --root="$root" --threshold=50 "$unit" 2>&1) || {
  echo "$security" | tail -20
  echo "FAIL: exposure above 5.0" >&2
  exit 1
}
echo "ok: $(grep 'Overall exposure' <<<"$security")"
