#include "campaign.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace vigil::sim {

namespace {

// Counts the sentinel events a run is summarised by.
struct EventCounter {
  std::uint64_t switch_masters = 0;
  std::uint64_t elections = 0;
  std::uint64_t tilts = 0;

  void attach(World& world) {
    for (auto& s : world.sentinels())
      s->on_event = [this](SimSentinel&, const std::string& channel, const std::string&) {
        if (channel == "+switch-master") ++switch_masters;
        else if (channel == "+elected-leader") ++elections;
        else if (channel == "+tilt") ++tilts;
      };
  }
};

constexpr Micros kFormationTime = seconds(20);

std::string ms_string(Micros t) { return std::to_string(t / kMicrosPerMs) + " ms"; }

// Liveness bound after healing: a failover may need up to failover-timeout, a sentinel
// resumed from a stall sits in TILT for tilt-period, plus 60 s of slack.
Micros liveness_bound(const WorldConfig& c) {
  return ms(c.failover_timeout_ms) + ms(c.tunables.tilt_period) + seconds(60);
}

}  // namespace

WorldConfig random_world(const RandomRunOptions& o) {
  Prng prng(o.seed ^ 0x5eed5eed5eed5eedULL);
  WorldConfig c;
  c.seed = o.seed;
  static const int kSentinelChoices[] = {3, 3, 3, 5, 5, 7};
  c.sentinels = o.sentinels > 0 ? o.sentinels : kSentinelChoices[prng.below(6)];
  c.nodes = o.nodes > 0 ? o.nodes : static_cast<int>(prng.between(2, 4));
  c.quorum = static_cast<int>(prng.between(std::max(1, c.sentinels / 2), c.sentinels));
  c.priorities.push_back(100);
  for (int i = 1; i < c.nodes; ++i) {
    const double r = prng.unit();
    c.priorities.push_back(r < 0.15 ? 0 : r < 0.35 ? static_cast<int>(prng.between(1, 200)) : 100);
  }
  c.down_after_ms = prng.between(1000, 6000);
  c.failover_timeout_ms = prng.between(6000, 30000);
  c.parallel_syncs = static_cast<int>(prng.between(1, 2));
  c.vigil.redis_compatible_timing = prng.chance(0.35);
  c.customize = o.customize;
  c.clients = 1;
  c.write_interval = ms(250);
  c.trace = o.trace > 0;
  c.trace_verbose = o.trace > 1;
  return c;
}

RunResult run_random(const RandomRunOptions& o) {
  const WorldConfig config = random_world(o);
  RunResult result;
  result.seed = o.seed;
  result.setup = std::to_string(config.sentinels) + " sentinels, " + std::to_string(config.nodes) +
                 " nodes, quorum " + std::to_string(config.quorum) + ", down-after " +
                 std::to_string(config.down_after_ms) + " ms, failover-timeout " +
                 std::to_string(config.failover_timeout_ms) + " ms, " +
                 (config.vigil.redis_compatible_timing ? "redis-compatible" : "vigil") + " mode, priorities";
  for (int p : config.priorities) result.setup += " " + std::to_string(p);

  World world(config);
  EventCounter counter;
  counter.attach(world);
  world.start();
  // The deployment forms before faults begin: sentinels discover each other through
  // hellos. (A sentinel isolated from birth knows no peers and counts itself as the
  // only voter — Sentinel's discovery-based membership, reference §14.8 — which is a
  // bootstrap problem, not what this campaign is after.)
  world.run_for(kFormationTime);
  FaultConfig faults;
  faults.operator_failovers = !config.vigil.redis_compatible_timing || o.operator_failovers_in_redis_mode;
  world.faults().start(faults, world.fabric().now() + o.fault_phase);
  world.run_for(o.fault_phase);

  if (!world.invariants().failed()) {
    world.heal();
    const bool converged = world.run_until([&world]() { return !world.convergence_problem(); }, liveness_bound(config),
                                           ms(500));
    if (!converged && !world.invariants().failed()) {
      auto problem = world.convergence_problem();
      world.invariants().fail("liveness: not converged " + ms_string(liveness_bound(config)) + " after healing: " +
                              problem.value_or("?"));
    }
  }
  result.ok = !world.invariants().failed();
  if (!result.ok) result.failure = world.invariants().failure();
  result.events = world.fabric().scheduler().events_run();
  result.faults = world.faults().injected();
  result.switch_masters = counter.switch_masters;
  result.elections = counter.elections;
  result.tilts = counter.tilts;
  result.acked = world.acked_writes();
  result.lost = world.lost_writes();
  if (o.trace) result.trace = world.fabric().trace().lines();
  return result;
}

const char* profile_name(TimingProfile p) {
  return p == TimingProfile::RedisDefaults ? "Redis defaults (down-after 30000 ms, Redis-compatible timing)"
                                           : "vigil fast (down-after 1000 ms, failover-timeout 10000 ms, vigil mode)";
}

FailoverTime run_kill_master(std::uint64_t seed, TimingProfile profile, int trace, std::vector<std::string>* trace_out) {
  WorldConfig c;
  c.seed = seed;
  c.sentinels = 3;
  c.nodes = 3;
  c.quorum = 2;
  c.trace = trace > 0;
  c.trace_verbose = trace > 1;
  if (profile == TimingProfile::RedisDefaults) {
    c.down_after_ms = 30000;
    c.failover_timeout_ms = 180000;
    c.vigil.redis_compatible_timing = true;
  } else {
    c.down_after_ms = 1000;
    c.failover_timeout_ms = 10000;
  }
  World world(c);
  Prng prng(seed ^ 0x6b696c6cULL);
  world.start();
  FailoverTime out;
  // Let sentinels discover each other and the replicas (hello 2 s, INFO 10 s), at a random phase.
  world.run_for(prng.between(seconds(25), seconds(35)));
  SimNode& old_master = *world.nodes()[0];
  const sentinel::Address old_addr = old_master.address();
  world.fabric().trace().add("FLT", "kill -9 " + old_master.name() + " (measured failover)");
  old_master.crash();
  const Micros killed_at = world.fabric().now();
  auto agreed_new = [&world, &old_addr]() {
    std::optional<sentinel::Address> first;
    for (auto& s : world.sentinels()) {
      auto a = s->core()->master_addr(World::kMasterName);
      if (!a || *a == old_addr) return false;
      if (!first) first = a;
      else if (*a != *first) return false;
    }
    return true;
  };
  const bool done = world.run_until(agreed_new, seconds(900), ms(1));
  out.elapsed = world.fabric().now() - killed_at;
  out.ok = done && !world.invariants().failed();
  if (world.invariants().failed()) out.failure = world.invariants().failure();
  else if (!done) out.failure = "no agreement on a new master within 900 s";
  if (trace_out) *trace_out = world.fabric().trace().lines();
  return out;
}

PlannedFailoverResult run_planned_failover(std::uint64_t seed, bool lossless, int trace,
                                           std::vector<std::string>* trace_out) {
  WorldConfig c;
  c.seed = seed;
  c.sentinels = 3;
  c.nodes = 3;
  c.quorum = 2;
  c.down_after_ms = 5000;
  c.failover_timeout_ms = 30000;
  c.vigil.redis_compatible_timing = !lossless;
  c.clients = 4;
  c.write_interval = ms(5);
  c.trace = trace > 0;
  c.trace_verbose = trace > 1;
  World world(c);
  Prng prng(seed ^ 0x706c616eULL);
  world.start();
  PlannedFailoverResult out;
  world.run_for(prng.between(seconds(25), seconds(35)));
  const sentinel::Address old_addr = world.nodes()[0]->address();
  auto& leader = *world.sentinels()[prng.below(world.sentinels().size())];
  const Micros asked_at = world.fabric().now();
  auto r = leader.operator_failover(World::kMasterName);
  if (!r.ok) {
    out.failure = "SENTINEL FAILOVER refused: " + r.message;
    if (trace_out) *trace_out = world.fabric().trace().lines();
    return out;
  }
  auto switched = [&world, &old_addr]() {
    if (world.convergence_problem()) return false;
    auto a = world.sentinels()[0]->core()->master_addr(World::kMasterName);
    return a && *a != old_addr;
  };
  const bool done = world.run_until(switched, seconds(120), ms(10));
  out.switch_time = world.fabric().now() - asked_at;
  // Quiesce: stop writing, let in-flight replies land and replication settle.
  for (auto& cl : world.clients()) cl->stop();
  world.run_for(seconds(5));
  out.acked = world.acked_writes();
  out.lost = world.lost_writes();
  out.ok = done && !world.invariants().failed();
  if (world.invariants().failed()) out.failure = world.invariants().failure();
  else if (!done) out.failure = "not converged on a new master within 120 s: " + world.convergence_problem().value_or("?");
  if (trace_out) *trace_out = world.fabric().trace().lines();
  return out;
}

CampaignSummary run_campaign(std::uint64_t first_seed, std::uint64_t count, const RandomRunOptions& base,
                             bool stop_on_failure, std::FILE* log) {
  CampaignSummary sum;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    RandomRunOptions o = base;
    o.seed = seed;
    o.trace = 0;
    RunResult r = run_random(o);
    ++sum.runs;
    sum.events += r.events;
    sum.faults += r.faults;
    sum.switch_masters += r.switch_masters;
    sum.elections += r.elections;
    if (r.switch_masters > 0) ++sum.runs_with_failover;
    if (!r.ok) {
      ++sum.failures;
      if (log) std::fprintf(log, "seed %llu FAILED (%s): %s\n", static_cast<unsigned long long>(seed), r.setup.c_str(),
                            r.failure.c_str());
      if (!sum.first_failure) sum.first_failure = r;
      if (stop_on_failure) break;
    }
  }
  sum.real_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

std::string distribution(std::vector<Micros> samples) {
  if (samples.empty()) return "no samples";
  std::sort(samples.begin(), samples.end());
  auto at = [&samples](double q) {
    const std::size_t i = std::min(samples.size() - 1, static_cast<std::size_t>(q * static_cast<double>(samples.size())));
    return samples[i];
  };
  return "n=" + std::to_string(samples.size()) + " min " + ms_string(samples.front()) + ", median " +
         ms_string(at(0.5)) + ", p90 " + ms_string(at(0.9)) + ", max " + ms_string(samples.back());
}

std::uint64_t seeds_from_env(std::uint64_t fallback) {
  if (const char* v = std::getenv("VIGIL_SIM_SEEDS")) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (end != v && n > 0) return n;
  }
  return fallback;
}

}  // namespace vigil::sim
