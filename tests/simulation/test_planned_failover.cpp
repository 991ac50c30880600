// Planned failover (SENTINEL FAILOVER) under client writes: with vigil's lossless mode no
// acknowledged write may be lost; Redis-compatible mode is shown losing some, which also
// proves the loss checker can see a loss.
#include <catch2/catch.hpp>

#include <cstdio>

#include "campaign.h"

using namespace vigil::sim;

TEST_CASE("planned failover loses no acknowledged write in lossless mode", "[planned-failover]") {
  std::uint64_t acked = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const PlannedFailoverResult r = run_planned_failover(seed, true);
    INFO("seed " << seed << " — replay: vigil-sim --scenario planned-failover --seed " << seed);
    REQUIRE(r.ok);
    CHECK(r.lost == 0);
    acked += r.acked;
  }
  std::printf("lossless planned failover: 20 runs, %llu acknowledged writes, 0 lost\n",
              static_cast<unsigned long long>(acked));
  CHECK(acked > 20 * 1000);  // the clients really wrote through the failover
}

TEST_CASE("planned failover in Redis-compatible mode loses acknowledged writes (contrast)", "[planned-failover]") {
  std::uint64_t acked = 0, lost = 0, runs_with_loss = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const PlannedFailoverResult r = run_planned_failover(seed, false);
    INFO("seed " << seed << " — replay: vigil-sim --scenario planned-failover --redis-compatible --seed " << seed);
    REQUIRE(r.ok);
    acked += r.acked;
    lost += r.lost;
    if (r.lost) ++runs_with_loss;
  }
  std::printf("redis-compatible planned failover: 20 runs, %llu acknowledged writes, %llu lost (%llu runs lost writes)\n",
              static_cast<unsigned long long>(acked), static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(runs_with_loss));
  CHECK(lost > 0);
}
