#!/usr/bin/python3
"""Replication: vigil-node vs redis-server, side by side in one run (not a test).

1. Full-sync time: a master holding --keys keys (default 1,000,000 strings, 16-byte
   values, loaded through redis-cli --pipe), a fresh empty node told REPLICAOF; time from
   the REPLICAOF reply until the replica reports master_link_status:up with every key.
   redis-server runs with repl-diskless-sync-delay 0 (otherwise it waits 5 s on purpose).
2. Write throughput of a master with two replicas attached: redis-benchmark SET, 50
   clients, -P 1, --requests requests, random keys; the replicas' offsets are checked to
   have caught up afterwards.
Rounds alternate which server goes first; medians are printed with the vigil/redis ratio
(> 1 = vigil faster for throughput; for sync time the ratio is redis/vigil so > 1 also
means vigil is faster).

Usage: bench/replication/replication.py [--rounds 3] [--keys 1000000] [--requests 100000]
The machine is shared and noisy: only ratios from one run, and gaps over ~20 %, mean
anything.
"""
import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
import harness  # noqa: E402


def load_keys(port, count):
    payload = b"".join(harness.encode_command("SET", "key:%d" % i, b"%016d" % i)
                       for i in range(count))
    out = subprocess.run([harness.redis_binary("redis-cli"), "-p", str(port), "--pipe"],
                         input=payload, capture_output=True, timeout=900)
    if b"errors: 0" not in out.stdout:
        raise RuntimeError("mass insert failed: %r" % out.stdout[-300:])


def start(kind, **directives):
    if kind == "redis":
        directives.setdefault("repl_diskless_sync_delay", 0)
        return harness.start_redis_server(**directives)
    return harness.start_vigil_node(**directives)


def link_up_with(replica, keys):
    info = replica.info("replication")
    if info.get("master_link_status") != "up":
        return False
    return replica.execute("DBSIZE") == keys


def full_sync_seconds(kind, keys):
    master = start(kind)
    replica = start(kind)
    try:
        load_keys(master.port, keys)
        t0 = time.monotonic()
        replica.execute("REPLICAOF", "127.0.0.1", str(master.port))
        harness.wait_until(lambda: link_up_with(replica, keys), timeout=600, interval=0.01)
        return time.monotonic() - t0
    finally:
        replica.stop()
        master.stop()


def set_throughput_with_two_replicas(kind, requests):
    master = start(kind)
    replicas = [start(kind, replicaof=["127.0.0.1", master.port]) for _ in range(2)]
    try:
        for rep in replicas:
            harness.wait_until(lambda: rep.info("replication").get("master_link_status") == "up",
                               timeout=60)
        cmd = [harness.redis_binary("redis-benchmark"), "-h", "127.0.0.1", "-p", str(master.port),
               "-c", "50", "-n", str(requests), "-P", "1", "-r", "100000", "-t", "set", "--csv"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=True).stdout
        rate = next(float(row[1]) for row in csv.reader(io.StringIO(out)) if row and row[0] != "test")

        def caught_up():
            target = master.info("replication")["master_repl_offset"]
            return all(r.info("replication").get("slave_repl_offset") == target for r in replicas)
        harness.wait_until(caught_up, timeout=120)
        return rate
    finally:
        for p in replicas + [master]:
            p.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=100_000)
    args = ap.parse_args()
    for name in ("redis-server", "redis-cli", "redis-benchmark"):
        if harness.redis_binary(name) is None:
            sys.exit("%s not found in PATH" % name)
    if harness.vigil_binary("vigil-node") is None:
        sys.exit("vigil-node not built (VIGIL_BUILD_DIR=%s)" % harness.build_dir())

    sync = {"redis": [], "vigil": []}
    rate = {"redis": [], "vigil": []}
    try:
        for rnd in range(args.rounds):
            order = ["redis", "vigil"] if rnd % 2 == 0 else ["vigil", "redis"]
            for kind in order:
                sync[kind].append(full_sync_seconds(kind, args.keys))
                print("round %d %-5s full sync of %d keys: %.2f s" % (rnd + 1, kind, args.keys, sync[kind][-1]),
                      flush=True)
            for kind in order:
                rate[kind].append(set_throughput_with_two_replicas(kind, args.requests))
                print("round %d %-5s SET with 2 replicas: %.0f req/s" % (rnd + 1, kind, rate[kind][-1]), flush=True)
    finally:
        harness.stop_all()

    s_r, s_v = statistics.median(sync["redis"]), statistics.median(sync["vigil"])
    t_r, t_v = statistics.median(rate["redis"]), statistics.median(rate["vigil"])
    print()
    print("| measure | redis | vigil | ratio (>1 = vigil better) |")
    print("| --- | --- | --- | --- |")
    print("| full sync of %d keys (s) | %.2f | %.2f | %.2f |" % (args.keys, s_r, s_v, s_r / s_v))
    print("| SET -c 50, 2 replicas (req/s) | %.0f | %.0f | %.2f |" % (t_r, t_v, t_v / t_r))


if __name__ == "__main__":
    main()
