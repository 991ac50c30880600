#!/usr/bin/python3
"""vigil-node vs redis-server, side by side in one run (not a test: timing claims live in
bench/, never in pass/fail tests).

1. Throughput: redis-benchmark with 50 clients, -P 1 and -P 16, over SET GET INCR LPUSH
   LPOP SADD HSET ZADD; both servers run on free ports at the same time and are measured
   interleaved (the order alternates every round) for several rounds; the table shows the
   median req/s of each and the vigil/redis ratio.
2. Memory per key: 1,000,000 keys with 16-byte values loaded through redis-cli --pipe;
   used_memory (INFO memory) and RSS growth divided by the key count, for both.

Usage: bench/node/throughput.py [--rounds 3] [--requests 30000] [--keys 1000000]
                                [--against-redis] [--tests zadd,sadd] [--pipelines 16]
                                [--no-memory]
--against-redis measures redis-server against a second redis-server (calibrates the
machine's noise; also what runs when you want to try the script without vigil-node).
The machine is shared and noisy: only ratios from one run, and gaps over ~20 %, mean
anything. Next to req/s the table shows each server's CPU time per request, the server's
own cost: at -P 1 the single-threaded redis-benchmark needs more CPU per request (~10-12
µs) than either server (~8-9 µs), so req/s there mostly measures the client and its noise.
--pin puts the servers on CPU 0 and redis-benchmark on the others; then the client bounds
-P 16 too for the cheapest commands. Runtime with the defaults: ~1.5 minutes on an idle 2-core machine, up to
~5 minutes when the machine is busy.
"""
import argparse
import csv
import io
import os
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
import harness  # noqa: E402

TESTS = ["set", "get", "incr", "lpush", "lpop", "sadd", "hset", "zadd"]
CLIENTS = 50
PIPELINES = [1, 16]


def cpu_seconds(pid):
    """CPU time all threads of a process have used so far, in nanosecond resolution
    (the first field of /proc/PID/task/TID/schedstat; /proc/PID/stat counts in ticks)."""
    total_ns = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total_ns += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that just exited
            pass
    return total_ns / 1e9


def split_cpus():
    """(server CPUs, client CPUs): on a machine with 2+ CPUs the servers get CPU 0 and
    redis-benchmark the others, so the single-threaded client (the bottleneck at -P 1)
    never competes with the server for a core. Both servers get the same treatment."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


def run_benchmark(proc, test, pipeline, requests, client_cpus):
    """One redis-benchmark run of one test; returns (req/s, server CPU µs per request)."""
    cmd = [harness.redis_binary("redis-benchmark"), "-h", "127.0.0.1", "-p", str(proc.port),
           "-c", str(CLIENTS), "-n", str(requests), "-P", str(pipeline), "-r", "100000",
           "-t", test, "--csv"]
    pin = (lambda: os.sched_setaffinity(0, client_cpus)) if client_cpus else None
    cpu_before = cpu_seconds(proc.pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True,
                         preexec_fn=pin).stdout
    server_us = (cpu_seconds(proc.pid) - cpu_before) * 1e6 / requests
    for row in csv.reader(io.StringIO(out)):
        if row and row[0] != "test":
            return float(row[1]), server_us
    raise RuntimeError("no result from redis-benchmark: %r" % out)


def load_keys(proc, count):
    """SET key:<n> <16-byte value> for n < count through redis-cli --pipe."""
    payload = b"".join(harness.encode_command("SET", "key:%d" % i, b"%016d" % i)
                       for i in range(count))
    out = subprocess.run([harness.redis_binary("redis-cli"), "-p", str(proc.port), "--pipe"],
                         input=payload, capture_output=True, timeout=600)
    if b"errors: 0" not in out.stdout:
        raise RuntimeError("mass insert failed: %r" % out.stdout[-300:])


def memory_per_key(proc, count):
    before_used = int(proc.info("memory")["used_memory"])
    before_rss = proc.rss_kb() * 1024
    load_keys(proc, count)
    assert proc.execute("DBSIZE") == count
    used = int(proc.info("memory")["used_memory"]) - before_used
    rss = proc.rss_kb() * 1024 - before_rss
    return used / count, rss / count, proc.rss_kb() / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=30000,
                    help="requests per test with -P 1 (x10 with -P 16)")
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--against-redis", action="store_true")
    ap.add_argument("--tests", default=",".join(TESTS),
                    help="comma-separated subset of %s" % ",".join(TESTS))
    ap.add_argument("--pipelines", default=",".join(str(p) for p in PIPELINES),
                    help="comma-separated -P values (default 1,16)")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory-per-key part")
    ap.add_argument("--pin", action="store_true",
                    help="servers on CPU 0, redis-benchmark on the others (default: the "
                         "scheduler places them)")
    args = ap.parse_args()
    tests = [t.strip().lower() for t in args.tests.split(",") if t.strip()]
    unknown = [t for t in tests if t not in TESTS]
    if unknown:
        sys.exit("unknown test(s) %s; choose from %s" % (",".join(unknown), ",".join(TESTS)))
    pipelines = [int(p) for p in args.pipelines.split(",") if p.strip()]
    # SIGTERM -> SystemExit, so the finally below stops both servers (they would die with
    # us anyway: the harness gives them PR_SET_PDEATHSIG).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    for tool in ("redis-server", "redis-benchmark", "redis-cli"):
        if harness.redis_binary(tool) is None:
            sys.exit("%s is not installed" % tool)
    if not args.against_redis and harness.vigil_binary("vigil-node") is None:
        sys.exit("vigil-node is not built in %s (set VIGIL_BUILD_DIR, or use "
                 "--against-redis)" % harness.build_dir())
    candidate_name = "redis#2" if args.against_redis else "vigil"
    start_candidate = harness.start_redis_server if args.against_redis else harness.start_vigil_node

    reference = harness.start_redis_server()
    candidate = start_candidate()
    servers = [("redis", reference), (candidate_name, candidate)]
    server_cpus, client_cpus = split_cpus() if args.pin else (None, None)
    if server_cpus:
        for _, proc in servers:
            os.sched_setaffinity(proc.pid, server_cpus)
    results = {}  # (name, pipeline, TEST) -> [req/s per round]
    cpu_per_request = {}  # (name, pipeline, TEST) -> [server µs per request per round]
    started = time.monotonic()
    try:
        for rnd in range(args.rounds):
            # Interleave at the finest grain (one test at a time, order alternating every
            # round) so that load from other processes hits both servers alike.
            order = servers if rnd % 2 == 0 else servers[::-1]
            for pipeline in pipelines:
                requests = args.requests * (10 if pipeline > 1 else 1)
                for test in tests:
                    for name, proc in order:
                        rate, server_us = run_benchmark(proc, test, pipeline, requests,
                                                        client_cpus)
                        results.setdefault((name, pipeline, test.upper()), []).append(rate)
                        cpu_per_request.setdefault((name, pipeline, test.upper()),
                                                   []).append(server_us)
                for _, proc in servers:
                    proc.execute("FLUSHALL")
            print("round %d/%d done (%.0fs)" % (rnd + 1, args.rounds,
                                                time.monotonic() - started), file=sys.stderr, flush=True)

        print("\nredis-benchmark, %d clients, medians of %d rounds (%s); server CPU is the "
              "server process's user+system time per request\n"
              % (CLIENTS, args.rounds, "servers on CPU %s, client on CPUs %s"
                 % (sorted(server_cpus), sorted(client_cpus)) if server_cpus else "unpinned"))
        print("| test | -P | redis req/s | %s req/s | %s/redis | redis CPU µs/req "
              "| %s CPU µs/req | CPU %s/redis |"
              % (candidate_name, candidate_name, candidate_name, candidate_name))
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")

        def median_of(table, name, pipeline, test):
            return statistics.median(table.get((name, pipeline, test), [0]))

        for pipeline in pipelines:
            for test in [t.upper() for t in tests]:
                ref = median_of(results, "redis", pipeline, test)
                cand = median_of(results, candidate_name, pipeline, test)
                ref_cpu = median_of(cpu_per_request, "redis", pipeline, test)
                cand_cpu = median_of(cpu_per_request, candidate_name, pipeline, test)
                print("| %s | %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f |"
                      % (test, pipeline, ref, cand, cand / ref if ref else float("nan"),
                         ref_cpu, cand_cpu, cand_cpu / ref_cpu if ref_cpu else float("nan")))

        if args.no_memory:
            print("\ntotal time %.0fs" % (time.monotonic() - started))
            return
        print("\nmemory after loading %d keys with 16-byte values\n" % args.keys)
        print("| server | used_memory bytes/key | RSS growth bytes/key | RSS total MiB |")
        print("| --- | ---: | ---: | ---: |")
        # Fresh processes: memory the benchmark freed may still be held by the allocator.
        for name, start in (("redis", harness.start_redis_server),
                            (candidate_name, start_candidate)):
            proc = start()
            try:
                used, rss, total = memory_per_key(proc, args.keys)
            finally:
                proc.stop()
            print("| %s | %.1f | %.1f | %.1f |" % (name, used, rss, total))
        print("\ntotal time %.0fs" % (time.monotonic() - started))
    finally:
        reference.stop()
        candidate.stop()


if __name__ == "__main__":
    main()
