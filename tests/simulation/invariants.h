// Safety invariants, checked as the run goes (every observation is made at the
// moment a sentinel acts, so a violation is reported at the step that caused it):
//  - a sentinel votes at most once per epoch, also across restarts (votes are
//    read black-box from IS-MASTER-DOWN-BY-ADDR replies, +vote-for-leader events
//    and persisted snapshots, keyed by the sentinel's durable myid);
//  - at most one leader per (master, epoch);
//  - the config epoch a sentinel announces (hellos) never decreases, also
//    across its restarts (what it announced must have been durable);
//  - one promoted configuration (address) per config epoch, across all hellos;
//  - a replica with priority 0 is never promoted (ground truth at the node);
//  - the leader only selects for promotion a replica it sees connected, not SDOWN
//    and with a non-zero priority (checked at +selected-slave).
// The first violation is kept with the virtual time it happened.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "fabric.h"
#include "sentinel/core/views.h"

namespace vigil::sim {

class Invariants {
 public:
  explicit Invariants(Fabric& fabric) : fabric_(fabric) {}

  void vote(const std::string& voter, std::uint64_t epoch, const std::string& leader, const char* source);
  void elected(const std::string& master, std::uint64_t epoch, const std::string& leader);
  // A hello a sentinel sent (PUBLISH payload): checks the epoch->address map and
  // that the config epoch it announces never goes back.
  void hello_sent(const std::string& sender, const std::string& payload);
  // The sentinel restarted with this config epoch (from its persisted state).
  void sentinel_restarted(const std::string& sentinel, std::uint64_t restored_config_epoch);
  void promotion_chosen(const std::string& leader, const sentinel::Address& target,
                        const std::optional<sentinel::InstanceView>& leaders_view);
  void node_promoted(const std::string& node, int priority);

  bool failed() const { return failure_.has_value(); }
  const std::string& failure() const { return *failure_; }
  void fail(const std::string& what);

  std::uint64_t votes_seen() const { return votes_.size(); }
  std::uint64_t elections_seen() const { return leaders_.size(); }

 private:
  Fabric& fabric_;
  std::optional<std::string> failure_;
  std::map<std::pair<std::string, std::uint64_t>, std::string> votes_;    // (voter, epoch) -> leader
  std::map<std::pair<std::string, std::uint64_t>, std::string> leaders_;  // (master, epoch) -> leader
  std::map<std::uint64_t, std::string> config_by_epoch_;                   // config epoch -> "ip:port"
  std::map<std::string, std::uint64_t> announced_epoch_;                   // sentinel -> max announced
};

}  // namespace vigil::sim
