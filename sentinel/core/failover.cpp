// The failover state machine (reference §8): wait-start → select-slave →
// send-slaveof-noone → wait-promotion → reconf-slaves → update-config, with its timeouts
// and aborts, plus vigil's lossless manual failover (write pause + catch-up).
#include <algorithm>

#include "sentinel/core/impl.h"

namespace vigil::sentinel {

using detail::LosslessPhase;

void Sentinel::Impl::failover_state_machine(Instance* master) {
  // Redis takes one step per tick; with prompt steps, a step that changed the state is
  // followed by the next one at once (each state is visited at most once per tick).
  for (;;) {
    if (!(master->flags & flag::kFailoverInProgress) || crashed) return;
    const FailoverState before = master->failover_state;
    switch (before) {
      case FailoverState::WaitStart: failover_wait_start(master); break;
      case FailoverState::SelectSlave: failover_select_slave(master); break;
      case FailoverState::SendSlaveofNoOne: failover_send_slaveof_noone(master); break;
      case FailoverState::WaitPromotion: failover_wait_promotion(master); break;
      case FailoverState::ReconfSlaves: failover_reconf_next_slave(master); break;
      case FailoverState::None:
      case FailoverState::UpdateConfig: break;
    }
    if (!vigil().prompt_steps_enabled() || master->failover_state <= before) return;
  }
}

void Sentinel::Impl::failover_wait_start(Instance* master) {
  std::string leader = get_leader(master, master->failover_epoch);
  bool is_leader = leader == cfg.myid;
  bool forced_without_votes = (master->flags & flag::kForceFailover) && !vigil().elected_manual_enabled();
  if (!is_leader && !forced_without_votes) {
    TimeMs election_timeout = std::min(tun().election_timeout, master->cfg.failover_timeout_ms);
    if (now - master->failover_start_time > election_timeout) {
      event(LogLevel::Warning, "-failover-abort-not-elected", master, "");
      abort_failover(master);
    }
    return;
  }
  event(LogLevel::Warning, "+elected-leader", master, "");
  if (simfailure_flags & kSimFailureCrashAfterElection) {
    crash("crash-after-election");
    return;
  }
  master->failover_state = FailoverState::SelectSlave;
  master->failover_state_change_time = now;
  event(LogLevel::Warning, "+failover-state-select-slave", master, "");
}

void Sentinel::Impl::failover_select_slave(Instance* master) {
  Instance* slave = select_slave(master);
  if (!slave && vigil().fast_detection_enabled() &&
      now - master->failover_state_change_time < tun().ping_period) {
    // Elected within milliseconds of the master's failure: the replicas' INFO refreshed at
    // SDOWN may still be on its way. Wait for it (briefly) rather than abort.
    for (auto& r : master->replicas)
      if (info_pending(r.get())) return;
  }
  if (!slave) {
    event(LogLevel::Warning, "-failover-abort-no-good-slave", master, "");
    abort_failover(master);
    return;
  }
  event(LogLevel::Warning, "+selected-slave", slave, "");
  slave->flags |= flag::kPromoted;
  master->promoted = slave;
  master->failover_state = FailoverState::SendSlaveofNoOne;
  master->failover_state_change_time = now;
  event(LogLevel::Notice, "+failover-state-send-slaveof-noone", slave, "");
}

void Sentinel::Impl::failover_send_slaveof_noone(Instance* master) {
  Instance* promoted = master->promoted;
  if (promoted->link->disconnected()) {
    if (now - master->failover_state_change_time > master->cfg.failover_timeout_ms) {
      event(LogLevel::Warning, "-failover-abort-slave-timeout", master, "");
      abort_failover(master);
    }
    return;
  }
  if (!lossless_step(master)) return;
  send_slaveof(promoted, std::nullopt);
  event(LogLevel::Notice, "+failover-state-wait-promotion", promoted, "");
  master->failover_state = FailoverState::WaitPromotion;
  master->failover_state_change_time = now;
}

void Sentinel::Impl::failover_wait_promotion(Instance* master) {
  // Progress comes from the promoted replica's INFO (info.cpp); here only the timeout.
  if (now - master->failover_state_change_time > master->cfg.failover_timeout_ms) {
    event(LogLevel::Warning, "-failover-abort-slave-timeout", master, "");
    abort_failover(master);
  }
}

void Sentinel::Impl::failover_reconf_next_slave(Instance* master) {
  int in_progress = 0;
  for (auto& r : master->replicas)
    if (r->flags & (flag::kReconfSent | flag::kReconfInprog)) ++in_progress;

  for (auto& rp : master->replicas) {
    if (in_progress >= master->cfg.parallel_syncs) break;
    Instance* slave = rp.get();
    if (slave->flags & (flag::kPromoted | flag::kReconfDone)) continue;
    // Too long without progress: consider it done; +fix-slave-config repairs it later.
    if ((slave->flags & flag::kReconfSent) &&
        now - slave->slave_reconf_sent_time > tun().slave_reconf_timeout) {
      event(LogLevel::Notice, "-slave-reconf-sent-timeout", slave, "");
      slave->flags &= ~flag::kReconfSent;
      slave->flags |= flag::kReconfDone;
      continue;
    }
    if (slave->flags & (flag::kReconfSent | flag::kReconfInprog)) continue;
    if (slave->link->disconnected()) continue;
    send_slaveof(slave, master->promoted->addr);
    slave->flags |= flag::kReconfSent;
    slave->slave_reconf_sent_time = now;
    event(LogLevel::Notice, "+slave-reconf-sent", slave, "");
    ++in_progress;
  }
  failover_detect_end(master);
}

void Sentinel::Impl::failover_detect_end(Instance* master) {
  Instance* promoted = master->promoted;
  bool timed_out = now - master->failover_state_change_time > master->cfg.failover_timeout_ms;
  if (!promoted || (promoted->flags & flag::kSDown)) {
    // Redis waits here forever (reference §14.3); vigil still honours the failover timeout
    // so a failover never stalls: peers then fail over the unreachable new master.
    if (vigil().redis_compatible_timing || !timed_out) return;
  }
  int not_reconfigured = 0;
  for (auto& r : master->replicas) {
    if (r->flags & (flag::kPromoted | flag::kReconfDone)) continue;
    if (r->flags & flag::kSDown) continue;
    ++not_reconfigured;
  }
  if (timed_out) {
    not_reconfigured = 0;
    event(LogLevel::Warning, "+failover-end-for-timeout", master, "");
  }
  if (not_reconfigured == 0) {
    event(LogLevel::Warning, "+failover-end", master, "");
    master->failover_state = FailoverState::UpdateConfig;
    master->failover_state_change_time = now;
  }
  if (timed_out && promoted) {
    // Best effort: point every remaining replica at the new master.
    for (auto& rp : master->replicas) {
      Instance* slave = rp.get();
      if (slave->flags & (flag::kPromoted | flag::kReconfDone | flag::kReconfSent)) continue;
      if (slave->link->disconnected()) continue;
      send_slaveof(slave, promoted->addr);
      event(LogLevel::Notice, "+slave-reconf-sent-be", slave, "");
      slave->flags |= flag::kReconfSent;
    }
  }
}

void Sentinel::Impl::abort_failover(Instance* master) {
  if (master->old_master_paused) lossless_release_old_master(master, std::nullopt);
  master->flags &= ~(flag::kFailoverInProgress | flag::kForceFailover);
  master->failover_state = FailoverState::None;
  master->failover_state_change_time = now;
  if (master->promoted) {
    master->promoted->flags &= ~flag::kPromoted;
    master->promoted = nullptr;
  }
  master->lossless = LosslessPhase::None;
}

void Sentinel::Impl::switch_to_promoted(Instance* master) {
  Instance* ref = master->promoted ? master->promoted : master;
  Address old_addr = master->addr;
  Address new_addr = ref->addr;
  if (!master->switch_announced) {
    event(LogLevel::Warning, "+switch-master", master,
          master->name + " " + old_addr.host + " " + std::to_string(old_addr.port) + " " +
              new_addr.host + " " + std::to_string(new_addr.port),
          false);
  }
  reset_master_and_change_address(master, new_addr);
}

// ---- vigil: lossless manual failover -----------------------------------------------------
//
// SENTINEL FAILOVER on a healthy master: pause writes on it (CLIENT PAUSE WRITE), wait until
// the selected replica's replication offset reaches the master's offset read after the
// pause, then promote. At promotion the old master is re-pointed at the new one and
// unpaused (lossless_release_old_master), so no acknowledged write is lost. Any trouble
// (pause refused, master unreachable) falls back to Redis's path; a replica that does not
// catch up in time aborts the failover and unpauses the master.

// While the old master is paused, peers' hellos (PUBLISH) are held too, and so are the PINGs
// queued behind them on the same connections: a pause longer than down-after would make
// the peers see the master down and start a failover of their own. Catching up normally
// takes milliseconds; both bounds stay well inside down-after.
namespace {
TimeMs lossless_catchup_timeout(const VigilOptions& v, const Instance* master) {
  return std::min(v.lossless_catchup_timeout_ms, master->down_after_period / 2);
}
TimeMs lossless_pause_duration(const VigilOptions& v, const Instance* master) {
  return std::min(v.lossless_pause_ms, master->down_after_period * 3 / 4);
}
}  // namespace

bool Sentinel::Impl::lossless_step(Instance* master) {
  if (!(master->flags & flag::kForceFailover) || !vigil().lossless_enabled()) return true;
  Instance* promoted = master->promoted;
  switch (master->lossless) {
    case LosslessPhase::None: {
      bool healthy = !master->link->disconnected() && !(master->flags & (flag::kSDown | flag::kODown)) &&
                     master->role_reported == InstanceKind::Master;
      if (!healthy) {
        master->lossless = LosslessPhase::Skipped;
        return true;
      }
      // A replica still in its initial sync (or cut off from the master) cannot catch up
      // within a short pause: wait, writes flowing, until its link is up.
      if (!promoted->slave_master_link_up) {
        if (now - master->failover_state_change_time > master->cfg.failover_timeout_ms) {
          event(LogLevel::Warning, "-failover-abort-slave-timeout", master, "");
          abort_failover(master);
        }
        return false;
      }
      if (send(master, RequestKind::ClientPause,
               {command_name(master, "CLIENT"), "PAUSE",
                std::to_string(lossless_pause_duration(vigil(), master)), "WRITE"}) == 0) {
        master->lossless = LosslessPhase::Skipped;
        return true;
      }
      master->lossless = LosslessPhase::Pausing;
      master->lossless_since = now;
      master->old_master_paused = true;
      return false;
    }
    case LosslessPhase::Pausing:
    case LosslessPhase::CatchingUp: {
      if (master->lossless == LosslessPhase::CatchingUp && master->paused_master_offset >= 0 &&
          promoted->slave_repl_offset >= master->paused_master_offset) {
        log(LogLevel::Notice, "Lossless failover of '" + master->name + "': replica " + promoted->name +
                                  " reached offset " + std::to_string(master->paused_master_offset));
        master->lossless = LosslessPhase::Ready;
        return true;
      }
      if (now - master->lossless_since > lossless_catchup_timeout(vigil(), master)) {
        log(LogLevel::Warning, "Lossless failover of '" + master->name + "': replica " + promoted->name +
                                   " did not catch up with the paused master in time");
        event(LogLevel::Warning, "-failover-abort-slave-timeout", master, "");
        abort_failover(master);
      }
      return false;
    }
    case LosslessPhase::Ready:
    case LosslessPhase::Skipped:
      return true;
  }
  return true;
}

void Sentinel::Impl::handle_pause_reply(Instance* master, const Reply& r) {
  if (master->lossless != LosslessPhase::Pausing) return;
  if (r.type == Reply::Type::Error) {
    log(LogLevel::Warning, "Lossless failover of '" + master->name + "': CLIENT PAUSE refused (" + r.str +
                               "), continuing without a write pause");
    master->lossless = LosslessPhase::Skipped;
    master->old_master_paused = false;
    return;
  }
  // Offsets read from now on are post-pause (replies on one connection are ordered).
  master->lossless = LosslessPhase::CatchingUp;
  master->paused_master_offset = -1;
  master->master_repl_offset = -1;
  send_info(master);
  if (master->promoted) send_info(master->promoted);
}

void Sentinel::Impl::lossless_release_old_master(Instance* master,
                                                 const std::optional<Address>& new_master) {
  if (new_master) send_slaveof(master, *new_master);
  if (master->old_master_paused) send(master, RequestKind::Ignored, {command_name(master, "CLIENT"), "UNPAUSE"});
  master->old_master_paused = false;
}

}  // namespace vigil::sentinel
