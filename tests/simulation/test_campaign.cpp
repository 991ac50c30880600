// The CI campaign: VIGIL_SIM_SEEDS seeds (default 2000) of 10 virtual minutes with
// random faults, split into four test cases so ctest runs them in parallel. A failing
// seed is replayed with the trace on and its tail printed, with the replay command.
#include <catch2/catch.hpp>

#include <cstdio>

#include "campaign.h"

using namespace vigil::sim;

namespace {

constexpr std::uint64_t kShards = 4;
constexpr std::uint64_t kFirstSeed = 1;

void run_shard(std::uint64_t shard) {
  const std::uint64_t total = seeds_from_env(2000);
  const std::uint64_t per_shard = (total + kShards - 1) / kShards;
  const std::uint64_t first = kFirstSeed + shard * per_shard;
  RandomRunOptions options;  // 10 virtual minutes of faults, world drawn from each seed
  const CampaignSummary sum = run_campaign(first, per_shard, options, true, stderr);
  std::printf("campaign shard %llu/%llu: seeds %llu..%llu, %.1f s real, %llu events, %llu faults, %llu elections, "
              "%llu runs with a failover\n",
              static_cast<unsigned long long>(shard + 1), static_cast<unsigned long long>(kShards),
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(first + per_shard - 1),
              sum.real_seconds, static_cast<unsigned long long>(sum.events), static_cast<unsigned long long>(sum.faults),
              static_cast<unsigned long long>(sum.elections), static_cast<unsigned long long>(sum.runs_with_failover));
  if (sum.first_failure) {
    RandomRunOptions replay = options;
    replay.seed = sum.first_failure->seed;
    replay.trace = 1;
    const RunResult traced = run_random(replay);
    const std::size_t tail = 150;
    const std::size_t from = traced.trace.size() > tail ? traced.trace.size() - tail : 0;
    for (std::size_t i = from; i < traced.trace.size(); ++i) std::printf("%s\n", traced.trace[i].c_str());
    FAIL("seed " << sum.first_failure->seed << " (" << sum.first_failure->setup << "): " << sum.first_failure->failure
                 << "\n  replay: vigil-sim --seed " << sum.first_failure->seed);
  }
  // The campaign must actually exercise failovers, or it proves nothing.
  CHECK(sum.runs_with_failover * 2 > sum.runs);
}

}  // namespace

TEST_CASE("campaign shard 1/4: random faults, safety invariants and liveness", "[campaign]") { run_shard(0); }
TEST_CASE("campaign shard 2/4: random faults, safety invariants and liveness", "[campaign]") { run_shard(1); }
TEST_CASE("campaign shard 3/4: random faults, safety invariants and liveness", "[campaign]") { run_shard(2); }
TEST_CASE("campaign shard 4/4: random faults, safety invariants and liveness", "[campaign]") { run_shard(3); }
