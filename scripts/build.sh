#!/usr/bin/env bash
# Configures and builds vigil. Usage: scripts/build.sh [build-dir] [extra cmake args...]
# VIGIL_BUILD_TARGETS="a b" builds only those targets (default: everything).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/build}"; shift || true
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
# shellcheck disable=SC2086 # a space-separated list of target names
cmake --build "$dir" -j"$(nproc)" ${VIGIL_BUILD_TARGETS:+--target $VIGIL_BUILD_TARGETS}
