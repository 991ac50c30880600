// One simulated deployment: N sentinels (pure cores hosted by SimSentinel),
// M data nodes (node 0 the initial master, the others its replicas), optional
// writing clients, the network, the invariant checker and the fault injector —
// all driven by one event queue and derived from one 64-bit seed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fabric.h"
#include "faults.h"
#include "history.h"
#include "invariants.h"
#include "sim_client.h"
#include "sim_node.h"
#include "sim_sentinel.h"

namespace vigil::sim {

struct WorldConfig {
  std::uint64_t seed = 1;
  int sentinels = 3;
  int nodes = 3;
  int quorum = 2;
  std::vector<int> priorities;  // per node; empty = all 100
  sentinel::TimeMs down_after_ms = 30000;
  sentinel::TimeMs failover_timeout_ms = 180000;
  int parallel_syncs = 1;
  sentinel::VigilOptions vigil;      // redis_compatible_timing = true for Redis 7.0 behaviour
  sentinel::Tunables tunables;       // Redis defaults unless a scenario changes them
  // Applied to every sentinel's Config before boot (e.g. negative-control knobs).
  std::function<void(sentinel::Config&)> customize;
  NetworkConfig network;
  NodeTimings node_timings;
  int clients = 0;
  Micros write_interval = ms(100);
  bool trace = false;
  bool trace_verbose = false;  // also every sentinel command and reply
};

class World {
 public:
  static constexpr const char* kMasterName = "mymaster";

  explicit World(WorldConfig config);
  ~World();

  // Boots nodes, then sentinels and clients.
  void start();
  void run_for(Micros duration);
  // Runs until `done()` holds (checked every `poll`) or `limit` elapses; returns whether it held.
  bool run_until(const std::function<bool()>& done, Micros limit, Micros poll = ms(100));

  // Ends every fault: heals the network, resumes and restarts every process.
  void heal();
  // Every sentinel alive and agreeing on one master address and config epoch; that
  // node is a master and every other node replicates from it with its link up.
  // Returns a description of the first disagreement, or nullopt when converged.
  std::optional<std::string> convergence_problem() const;

  // Acknowledged writes missing from the current master's history.
  std::uint64_t lost_writes() const;
  std::uint64_t acked_writes() const;

  Fabric& fabric() { return *fabric_; }
  Invariants& invariants() { return *invariants_; }
  FaultInjector& faults() { return *faults_; }
  const WorldConfig& config() const { return config_; }
  std::vector<std::unique_ptr<SimNode>>& nodes() { return nodes_; }
  std::vector<std::unique_ptr<SimSentinel>>& sentinels() { return sentinels_; }
  std::vector<std::unique_ptr<SimClient>>& clients() { return clients_; }
  // The node at `addr`, or nullptr.
  SimNode* node_at(const sentinel::Address& addr) const;

 private:
  WorldConfig config_;
  Prng prng_;
  std::unique_ptr<Fabric> fabric_;
  History history_;
  std::unique_ptr<Invariants> invariants_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::vector<std::unique_ptr<SimSentinel>> sentinels_;
  std::vector<std::unique_ptr<SimClient>> clients_;
  std::unique_ptr<FaultInjector> faults_;
};

}  // namespace vigil::sim
