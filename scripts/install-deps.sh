#!/usr/bin/env bash
# Installs what vigil needs on Debian 12, from Debian's packages (and ioredis
# from npm for the client tests). Idempotent and quiet when all is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libhiredis-dev libuv1-dev libyaml-cpp-dev libspdlog-dev libfmt-dev catch2 libsystemd-dev
  redis-server redis-sentinel redis-tools
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
  python3 python3-redis python3-pytest python3-pytest-timeout python3-pytest-xdist
)
# Node.js may come with the machine rather than from Debian (its npm then conflicts
# with Debian's npm package): ask apt for them only when the commands are missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's redis-server package may start a system instance on 6379; vigil's
# local stack owns that port, and tests never rely on it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server redis-sentinel 2>/dev/null || true
fi

# ioredis for the client compatibility tests.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$root/tests/clients/node_modules/ioredis" ]; then
  (cd "$root/tests/clients" && npm install --no-audit --no-fund --silent >/dev/null)
fi
