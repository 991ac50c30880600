// Scenarios and campaigns on top of World:
//  - random: a world drawn from the seed (3/5/7 sentinels, 2-4 nodes, quorum,
//    priorities incl. 0, timings, vigil or Redis-compatible mode), random faults
//    for the fault phase, then heal and check liveness within a bound;
//  - kill-master: fault-free master kill, failover time in virtual ms;
//  - planned-failover: SENTINEL FAILOVER under client writes, acknowledged
//    writes lost (vigil lossless mode vs Redis-compatible mode).
// A campaign runs many seeds; a failing seed is replayed with the trace on.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "world.h"

namespace vigil::sim {

struct RandomRunOptions {
  std::uint64_t seed = 1;
  Micros fault_phase = seconds(600);
  int sentinels = 0;  // 0 = drawn from the seed
  int nodes = 0;      // 0 = drawn from the seed
  int trace = 0;  // 0 = off, 1 = events, 2 = also every sentinel command and reply
  // Operator SENTINEL FAILOVER is among the faults of vigil-mode seeds. In Redis-compatible
  // seeds it is off unless this is set: Redis 7.0's forced failover elects itself without
  // votes, so one in a minority partition leads the same epoch as a properly elected
  // leader (two leaders per epoch: a known Redis weakness, not a vigil bug).
  bool operator_failovers_in_redis_mode = false;
  // Applied to every sentinel's Config (e.g. a negative-control knob).
  std::function<void(sentinel::Config&)> customize;
};

struct RunResult {
  std::uint64_t seed = 0;
  bool ok = true;
  std::string failure;   // first safety violation or liveness problem
  std::string setup;     // one line describing the drawn world
  std::uint64_t events = 0;
  std::uint64_t faults = 0;
  std::uint64_t switch_masters = 0;  // +switch-master events seen (all sentinels)
  std::uint64_t elections = 0;       // +elected-leader events
  std::uint64_t tilts = 0;           // +tilt events
  std::uint64_t acked = 0;
  std::uint64_t lost = 0;
  std::vector<std::string> trace;    // filled when options.trace
};

// Builds the world a seed describes (shared by run_random and replays).
WorldConfig random_world(const RandomRunOptions& options);
RunResult run_random(const RandomRunOptions& options);

enum class TimingProfile { RedisDefaults, VigilFast };
const char* profile_name(TimingProfile p);

struct FailoverTime {
  bool ok = false;
  Micros elapsed = 0;  // master kill -> every sentinel reports the same new master
  std::string failure;
};
// trace: 0 = off, 1 = events, 2 = also every sentinel command and reply.
FailoverTime run_kill_master(std::uint64_t seed, TimingProfile profile, int trace = 0,
                             std::vector<std::string>* trace_out = nullptr);

struct PlannedFailoverResult {
  bool ok = false;
  std::string failure;
  std::uint64_t acked = 0;
  std::uint64_t lost = 0;
  Micros switch_time = 0;  // SENTINEL FAILOVER -> all sentinels agree
};
PlannedFailoverResult run_planned_failover(std::uint64_t seed, bool lossless, int trace = 0,
                                           std::vector<std::string>* trace_out = nullptr);

struct CampaignSummary {
  std::uint64_t runs = 0;
  std::uint64_t failures = 0;
  std::optional<RunResult> first_failure;
  std::uint64_t events = 0;
  std::uint64_t faults = 0;
  std::uint64_t switch_masters = 0;
  std::uint64_t elections = 0;
  std::uint64_t runs_with_failover = 0;
  double real_seconds = 0;
};

// Runs seeds [first, first + count); stops at the first failure when stop_on_failure.
// Progress and failures go to `log` (may be null).
CampaignSummary run_campaign(std::uint64_t first_seed, std::uint64_t count, const RandomRunOptions& base,
                             bool stop_on_failure, std::FILE* log);

// "min 1234 ms, median ..., p90 ..., max ..." over virtual-time samples.
std::string distribution(std::vector<Micros> samples);

// Number of seeds for CI campaigns: VIGIL_SIM_SEEDS if set, else `fallback`.
std::uint64_t seeds_from_env(std::uint64_t fallback);

}  // namespace vigil::sim
