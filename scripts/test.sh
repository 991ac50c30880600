#!/usr/bin/env bash
# Installs what is missing, builds, and runs every vigil test:
#   1. unit suites and the deterministic simulator (ctest),
#   2. process-level suites with real redis-server/redis-sentinel/clients (pytest),
#   3. the unit suites and simulator again under ASan+UBSan.
# Usage: scripts/test.sh            (everything, as CI runs it)
#        VIGIL_SKIP_SANITIZE=1 scripts/test.sh   (skip the sanitizer leg)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"

"$root/scripts/install-deps.sh"

echo "== build (RelWithDebInfo)"
"$root/scripts/build.sh" "$root/build"

echo "== unit + simulation (ctest)"
ctest --test-dir "$root/build" --output-on-failure -j"$jobs" --timeout 300

echo "== process tests (pytest)"
export VIGIL_BUILD_DIR="$root/build"
suites=()
for d in tests/integration tests/interop tests/clients; do
  compgen -G "$d/test_*.py" >/dev/null && suites+=("$d")
done
if ((${#suites[@]})); then
  # Every test is also bounded by pytest-timeout, so a hang fails instead of stalling CI.
  /usr/bin/python3 -m pytest -q -p no:cacheprovider --timeout=300 "${suites[@]}"
fi

if [ "${VIGIL_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== ASan+UBSan build, unit + simulation"
  "$root/scripts/build.sh" "$root/build-asan" -DVIGIL_SANITIZE=ON
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    VIGIL_SIM_SEEDS="${VIGIL_ASAN_SIM_SEEDS:-200}" \
    ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs" --timeout 600
fi
echo "== all tests passed"
