// Fault-free master kill, both timing profiles: every run must end with all sentinels
// agreeing on a new master (liveness). The virtual failover times are printed for the
// record; timing claims themselves live in bench/ and `vigil-sim --report-failover-time`.
#include <catch2/catch.hpp>

#include <cstdio>

#include "campaign.h"

using namespace vigil::sim;

TEST_CASE("a killed master is failed over in every run, both timing profiles", "[failover-time]") {
  for (TimingProfile p : {TimingProfile::VigilFast, TimingProfile::RedisDefaults}) {
    std::vector<Micros> samples;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      const FailoverTime t = run_kill_master(seed, p);
      INFO(profile_name(p) << ", seed " << seed << ": " << t.failure);
      REQUIRE(t.ok);
      samples.push_back(t.elapsed);
    }
    std::printf("failover time, %s: %s\n", profile_name(p), distribution(samples).c_str());
  }
}
