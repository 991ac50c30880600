// Seeded random fault schedules. While running, the injector draws the next
// fault after an exponential-ish pause and undoes it after its own duration:
// partitions (symmetric bipartitions, single-process isolation, one-way cuts,
// the Jepsen shape "master + minority of sentinels"), node crash + restart (with
// or without data), node SIGSTOP, slow nodes, sentinel crash + restart (also in
// the middle of an effect batch), sentinel stalls and clock leaps (TILT),
// connection resets, latency spikes and operator SENTINEL FAILOVER.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clock.h"
#include "prng.h"

namespace vigil::sim {

class World;

struct FaultConfig {
  Micros mean_interval = seconds(6);
  Micros max_duration = seconds(40);
  bool partitions = true;
  bool node_crashes = true;
  bool node_pauses = true;
  bool slow_nodes = true;
  bool sentinel_crashes = true;
  bool sentinel_stalls = true;
  bool clock_jumps = true;
  bool connection_resets = true;
  bool latency_spikes = true;
  bool operator_failovers = true;
};

class FaultInjector {
 public:
  FaultInjector(World& world, Prng prng) : world_(world), prng_(prng) {}

  // Injects faults until global time `until`.
  void start(FaultConfig config, Micros until);
  // Cancels pending fault endings (the caller heals everything itself).
  void stop();

  std::uint64_t injected() const { return injected_; }

 private:
  void schedule_next();
  void inject();
  void cut(const std::vector<int>& from, const std::vector<int>& to, Micros duration, const std::string& what);
  void set_cut(int from, int to, int delta);
  Micros duration();
  void after(Micros delay, std::function<void()> fn);
  std::string describe(const std::vector<int>& group) const;

  World& world_;
  Prng prng_;
  FaultConfig config_;
  Micros until_ = 0;
  std::uint64_t gen_ = 0;
  std::uint64_t injected_ = 0;
  std::vector<int> cut_count_;  // per (from, to): how many active faults block it
};

}  // namespace vigil::sim
