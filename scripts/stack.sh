#!/usr/bin/env bash
# Installs what is missing, builds, and runs the local stack in the foreground:
# a vigil-node master + 2 replicas (6379-6381) and 3 vigil-sentinels
# (26379-26381) monitoring them as "mymaster". Ctrl-C stops everything.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
exec "$root/examples/local-stack/run.sh"
