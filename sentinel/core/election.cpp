// Epochs and leader election (reference §7): our vote, the tally, and starting a failover.
#include <map>

#include "sentinel/core/impl.h"

namespace vigil::sentinel {

// Vote for `req_runid` as leader for `master` in `req_epoch`, at most once per epoch.
// Returns the stored vote (possibly from an older epoch) and its epoch. The vote is
// persisted (Persist effect) before anything that reveals it can leave the process.
std::string Sentinel::Impl::vote_leader(Instance* master, uint64_t req_epoch,
                                        const std::string& req_runid, uint64_t* leader_epoch) {
  if (req_epoch > current_epoch) {
    current_epoch = req_epoch;
    persist();
    event(LogLevel::Warning, "+new-epoch", master, std::to_string(current_epoch), false);
  }
  bool may_vote = master->leader_epoch < req_epoch && current_epoch <= req_epoch;
  if (cfg.testing.vote_twice_per_epoch) may_vote = current_epoch <= req_epoch;
  if (may_vote) {
    master->leader = req_runid;
    master->leader_epoch = current_epoch;
    persist();
    event(LogLevel::Warning, "+vote-for-leader", master,
          master->leader + " " + std::to_string(master->leader_epoch), false);
    // Voting for someone else delays our own attempt (2 × failover-timeout from now).
    if (master->leader != cfg.myid)
      master->failover_start_time = now + static_cast<TimeMs>(random() % kMaxDesync);
  }
  *leader_epoch = master->leader_epoch;
  return master->leader;
}

// Count votes for `epoch`: peers' reported votes in that epoch plus our own (cast for the
// peers' favourite if there is one, else for ourselves). Winner needs a majority of all
// known sentinels (+ us) and at least the quorum.
// Redis 7.0 counts peers' votes of the *current* epoch here. Once our current epoch has
// moved past the failover's (we voted for someone in a newer epoch), votes granted to us
// in that newer epoch would elect us for the older one, in which another sentinel may
// already have won: two leaders in one epoch (found by the simulator, seed 668). Counting
// only votes of the failover's own epoch keeps "one leader per epoch".
std::string Sentinel::Impl::get_leader(Instance* master, uint64_t epoch) {
  std::map<std::string, int> counters;  // ordered: ties resolve deterministically
  int voters = static_cast<int>(master->sentinels.size()) + 1;
  for (auto& s : master->sentinels)
    if (!s->leader.empty() && s->leader_epoch == epoch) ++counters[s->leader];
  std::string winner;
  int max_votes = 0;
  for (auto& [runid, votes] : counters) {
    if (votes > max_votes) {
      max_votes = votes;
      winner = runid;
    }
  }
  uint64_t leader_epoch = 0;
  std::string myvote = vote_leader(master, epoch, winner.empty() ? cfg.myid : winner, &leader_epoch);
  if (!myvote.empty() && leader_epoch == epoch) {
    int votes = ++counters[myvote];
    if (votes > max_votes) {
      max_votes = votes;
      winner = myvote;
    }
  }
  int majority = voters / 2 + 1;
  if (!winner.empty() && (max_votes < majority || max_votes < master->cfg.quorum)) winner.clear();
  return winner;
}

bool Sentinel::Impl::start_failover_if_needed(Instance* master) {
  if (!(master->flags & flag::kODown)) return false;
  if (master->flags & flag::kFailoverInProgress) return false;
  TimeMs retry_after = master->cfg.failover_timeout_ms * 2;
  if (now - master->failover_start_time < retry_after) {
    if (master->failover_delay_logged != master->failover_start_time) {
      TimeMs wait = master->failover_start_time + retry_after - now;
      log(LogLevel::Warning, "Next failover delay: I will not start a failover before " +
                                 std::to_string(wait) + " ms from now");
      master->failover_delay_logged = master->failover_start_time;
    }
    return false;
  }
  start_failover(master);
  return true;
}

void Sentinel::Impl::start_failover(Instance* master) {
  master->failover_state = FailoverState::WaitStart;
  master->flags |= flag::kFailoverInProgress;
  master->failover_epoch = ++current_epoch;
  // Durable before our vote requests for this epoch leave (Redis flushes only at the
  // self-vote, moments later): a restart never reuses an epoch we campaigned in.
  persist();
  event(LogLevel::Warning, "+new-epoch", master, std::to_string(current_epoch), false);
  event(LogLevel::Warning, "+try-failover", master, "");
  master->failover_start_time = now + static_cast<TimeMs>(random() % kMaxDesync);
  master->failover_state_change_time = now;
  master->switch_announced = false;
  master->lossless = detail::LosslessPhase::None;
}

}  // namespace vigil::sentinel
