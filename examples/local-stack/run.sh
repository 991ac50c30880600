#!/usr/bin/env bash
# A complete local HA stack in the foreground:
#   data nodes  127.0.0.1:6379 (master), :6380 and :6381 (replicas)
#   sentinels   127.0.0.1:26379, :26380, :26381 (vigil-sentinel), group "mymaster", quorum 2
# with a live log of the sentinels' events (+sdown, +odown, +switch-master, ...).
# Ctrl-C stops everything (by PID) and removes the temporary state directory, so running
# it again starts from scratch.
#
# Usage: examples/local-stack/run.sh        (binaries from $VIGIL_BUILD_DIR, default build/)
# Try:   redis-cli -p 26379 SENTINEL GET-MASTER-ADDR-BY-NAME mymaster
#        redis-cli -p 6379 DEBUG SLEEP 30    (or kill the master) and watch the failover
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${VIGIL_BUILD_DIR:-$root/build}"
node_ports=(6379 6380 6381)
sentinel_ports=(26379 26380 26381)
down_after=5000

find_binary() {  # $1 = name; prints the path or nothing
  for p in "$build/$1" "$build/sentinel/$1" "$build/node/$1"; do
    if [[ -x "$p" ]]; then echo "$p"; return 0; fi
  done
  return 0
}

sentinel_bin="$(find_binary vigil-sentinel)"
if [[ -z "$sentinel_bin" ]]; then
  echo "vigil-sentinel not found under $build: build first (scripts/build.sh)" >&2
  exit 1
fi
for tool in redis-cli; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt install redis-tools)" >&2; exit 1; }
done

port_busy() { redis-cli -p "$1" PING >/dev/null 2>&1 || (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "${node_ports[@]}" "${sentinel_ports[@]}"; do
  if port_busy "$p"; then
    echo "port $p is already in use: stop whatever listens there first" >&2
    exit 1
  fi
done

state="$(mktemp -d /tmp/vigil-local-stack.XXXXXX)"
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "stopping (pids ${pids[*]:-none})..."
  # Reverse order: tails and sentinels first, then the data nodes.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$state"
  echo "stopped; removed $state"
}
trap cleanup INT TERM EXIT

wait_ping() {  # $1 = port
  for _ in $(seq 1 100); do
    redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1; see the logs in $state" >&2
  exit 1
}

# Data nodes: vigil-node once it can replicate (REPLICAOF), else Debian's redis-server.
node_bin="$(find_binary vigil-node)"
node_kind="vigil-node"
if [[ -n "$node_bin" ]]; then
  mkdir -p "$state/probe"
  "$node_bin" --port "${node_ports[0]}" --bind 127.0.0.1 --dir "$state/probe" --save "" \
    >"$state/probe/log" 2>&1 &
  probe=$!
  wait_ping "${node_ports[0]}"
  if redis-cli -p "${node_ports[0]}" REPLICAOF NO ONE 2>&1 | grep -qi "unknown command\|ERR"; then
    node_bin=""
  fi
  kill "$probe"; wait "$probe" 2>/dev/null || true
fi
if [[ -z "$node_bin" ]]; then
  node_bin="$(command -v redis-server || true)"
  node_kind="redis-server"
  [[ -n "$node_bin" ]] || { echo "neither a replicating vigil-node nor redis-server is available" >&2; exit 1; }
  echo "note: using Debian's redis-server for the data nodes (vigil-node does not support REPLICAOF yet)"
fi

for i in 0 1 2; do
  port="${node_ports[i]}"
  dir="$state/node-$port"; mkdir -p "$dir"
  args=(--port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no
        --logfile "$dir/node.log")
  ((i > 0)) && args+=(--replicaof 127.0.0.1 "${node_ports[0]}")
  "$node_bin" "${args[@]}" &
  pids+=($!)
  wait_ping "$port"
done

for i in 0 1 2; do
  port="${sentinel_ports[i]}"
  dir="$state/sentinel-$port"; mkdir -p "$dir"
  cat >"$dir/sentinel.conf" <<EOF
port $port
bind 127.0.0.1
dir "$dir"
logfile "$dir/sentinel.log"
sentinel monitor mymaster 127.0.0.1 ${node_ports[0]} 2
sentinel down-after-milliseconds mymaster $down_after
sentinel failover-timeout mymaster 60000
EOF
  touch "$dir/sentinel.log"
  "$sentinel_bin" "$dir/sentinel.conf" &
  pids+=($!)
  wait_ping "$port"
done

cat <<EOF

vigil local stack is up ($node_kind data nodes, state in $state)
  master     127.0.0.1:${node_ports[0]}
  replicas   127.0.0.1:${node_ports[1]}, 127.0.0.1:${node_ports[2]}
  sentinels  127.0.0.1:${sentinel_ports[0]}, 127.0.0.1:${sentinel_ports[1]}, 127.0.0.1:${sentinel_ports[2]}
             (group "mymaster", quorum 2, down-after ${down_after} ms)

Try:
  redis-cli -p ${sentinel_ports[0]} SENTINEL GET-MASTER-ADDR-BY-NAME mymaster
  redis-cli -p ${sentinel_ports[0]} SENTINEL FAILOVER mymaster
  redis-cli -p ${node_ports[0]} DEBUG SLEEP 30          # master unresponsive > down-after

Live sentinel events (Ctrl-C stops everything):
EOF

# Event lines of every sentinel's log, prefixed with its port. Stopping the tail (by its
# recorded PID) ends the rest of its pipeline.
for port in "${sentinel_ports[@]}"; do
  { tail -n +1 -F "$state/sentinel-$port/sentinel.log" 2>/dev/null & echo $! >"$state/tail-$port.pid"; wait; } \
    | grep --line-buffered -E ' [#*-] [+-][a-z]' \
    | sed -u "s/^[0-9]*:X /[sentinel $port] /" &
done
for port in "${sentinel_ports[@]}"; do
  for _ in $(seq 1 50); do [[ -s "$state/tail-$port.pid" ]] && break; sleep 0.02; done
  pids+=("$(cat "$state/tail-$port.pid")")
done
wait
