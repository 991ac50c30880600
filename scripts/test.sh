#!/usr/bin/env bash
# Installs what is missing, builds, and runs every vigil test:
#   1. unit suites and the deterministic simulator (ctest),
#   2. process-level suites with real redis-server/redis-sentinel/clients (pytest),
#   3. the unit suites and simulator again under ASan+UBSan (built in the background
#      while 2 runs).
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
# The simulator campaign: 1200 seeds x 10 virtual minutes (~2 min on 2 cores; the
# campaign's own default is 2000; VIGIL_SIM_SEEDS overrides it, VIGIL_ASAN_SIM_SEEDS the
# sanitizer leg's 80).
VIGIL_SIM_SEEDS="${VIGIL_SIM_SEEDS:-1200}" \
  ctest --test-dir "$root/build" --output-on-failure -j"$jobs" --timeout 300

sanitize=1
[ "${VIGIL_SKIP_SANITIZE:-0}" = 1 ] && sanitize=0
asan_pid=""
asan_log="$root/build-asan/background-build.log"
if ((sanitize)); then
  # The sanitizer build needs CPU while pytest mostly waits on processes: build it in
  # the background at the lowest priority, so the timing of the process tests is
  # undisturbed. Its own process group, so an early exit stops the whole build.
  # Only what ctest runs: the unit suites (the command tests drive a vigil-node) and
  # the simulator.
  mkdir -p "$root/build-asan"
  echo "== ASan+UBSan build started in the background (log: $asan_log)"
  VIGIL_BUILD_TARGETS="vigil-node test_common test_node test_sentinel_core test_sentinel test_simulation" \
    setsid nice -n 19 "$root/scripts/build.sh" "$root/build-asan" -DVIGIL_SANITIZE=ON \
    >"$asan_log" 2>&1 &
  asan_pid=$!
  trap '[ -n "$asan_pid" ] && kill -- -"$asan_pid" 2>/dev/null; true' EXIT
fi

echo "== process tests (pytest)"
export VIGIL_BUILD_DIR="$root/build"
suites=()
for d in tests/integration tests/interop tests/clients; do
  compgen -G "$d/test_*.py" >/dev/null && suites+=("$d")
done
if ((${#suites[@]})); then
  # Every test is also bounded by pytest-timeout, so a hang fails instead of stalling CI.
  # Three workers (pytest-xdist): the tests mostly wait on processes, and each picks its
  # own free ports, so they share the machine as two CI runs would.
  /usr/bin/python3 -m pytest -q -p no:cacheprovider --timeout=300 -n 3 "${suites[@]}"
fi

if ((sanitize)); then
  echo "== ASan+UBSan build (waiting for it)"
  if ! wait "$asan_pid"; then
    asan_pid=""
    tail -n 50 "$asan_log"
    echo "ASan+UBSan build failed" >&2
    exit 1
  fi
  asan_pid=""
  echo "== ASan+UBSan unit + simulation (ctest)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    VIGIL_SIM_SEEDS="${VIGIL_ASAN_SIM_SEEDS:-80}" \
    ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs" --timeout 600
fi
echo "== all tests passed"
