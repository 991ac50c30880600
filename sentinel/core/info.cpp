// Reactions to an INFO reply (Redis sentinelRefreshInstanceInfo, reference §4): record
// the reported state, discover replicas, and act on role changes.
#include "sentinel/core/impl.h"
#include "sentinel/core/text.h"

namespace vigil::sentinel {

bool Sentinel::Impl::master_looks_sane(const Instance* master) const {
  return master->is_master() && master->role_reported == InstanceKind::Master &&
         (master->flags & (flag::kSDown | flag::kODown)) == 0 && master->info_refresh != 0 &&
         now - master->info_refresh < tun().info_period * 2;
}

bool Sentinel::Impl::no_down_for(const Instance* ri, TimeMs ms) const {
  TimeMs most_recent = std::max(ri->s_down_since_time, ri->o_down_since_time);
  return most_recent == 0 || now - most_recent > ms;
}

void Sentinel::Impl::refresh_instance_info(Instance* ri, const std::string& info) {
  InfoReport report = parse_info(info);
  ri->info_text = info;
  ri->master_link_down_time = report.master_link_down_time;

  if (report.run_id) {
    if (ri->runid.empty()) {
      ri->runid = *report.run_id;
    } else if (ri->runid != *report.run_id) {
      event(LogLevel::Notice, "+reboot", ri, "");
      if (ri->is_master() && ri->cfg.master_reboot_down_after_period_ms != 0) {
        ri->flags |= flag::kMasterReboot;
        ri->master_reboot_since_time = now;
      }
      ri->runid = *report.run_id;
    }
  }
  if (ri->is_master()) {
    for (const InfoReplicaEntry& entry : report.replicas) {
      Address addr{entry.ip, entry.port};
      if (find_replica(ri, addr)) continue;
      if (Instance* replica = create_replica(ri, addr)) {
        event(LogLevel::Notice, "+slave", replica, "");
        persist();
      }
    }
  }
  if (report.master_repl_offset) {
    ri->master_repl_offset = *report.master_repl_offset;
    // vigil lossless failover: the paused master's offset, read after the pause.
    if (ri->is_master() && ri->lossless == detail::LosslessPhase::CatchingUp)
      ri->paused_master_offset = *report.master_repl_offset;
  }
  if (report.role == ReportedRole::Slave) {
    if (report.master_host && !text::iequals(*report.master_host, ri->slave_master_host)) {
      ri->slave_master_host = *report.master_host;
      ri->slave_conf_change_time = now;
    }
    if (report.master_port && *report.master_port != ri->slave_master_port) {
      ri->slave_master_port = *report.master_port;
      ri->slave_conf_change_time = now;
    }
    if (report.master_link_up) ri->slave_master_link_up = *report.master_link_up;
    if (report.slave_priority) ri->slave_priority = *report.slave_priority;
    if (report.slave_repl_offset) ri->slave_repl_offset = *report.slave_repl_offset;
    if (report.replica_announced) ri->replica_announced = *report.replica_announced;
  }
  ri->info_refresh = now;

  // ---- acting half ----
  if (report.role == ReportedRole::Unknown) {
    // Redis compares against role 0 here and logs a bogus role change; a reply without a
    // role line carries no role information, so keep the last one.
  } else {
    InstanceKind role = report.role == ReportedRole::Master ? InstanceKind::Master : InstanceKind::Replica;
    if (role != ri->role_reported) {
      ri->role_reported_time = now;
      ri->role_reported = role;
      if (role == InstanceKind::Replica) ri->slave_conf_change_time = now;
      bool coherent = (ri->is_master() && role == InstanceKind::Master) ||
                      (ri->is_replica() && role == InstanceKind::Replica);
      event(LogLevel::Verbose, coherent ? "+role-change" : "-role-change", ri,
            std::string("new reported role is ") + (role == InstanceKind::Master ? "master" : "slave"));
    }
  }
  if (tilt || !ri->is_replica()) return;  // masters reporting slave: the SDOWN rule handles it
  Instance* master = ri->master;

  if (report.role == ReportedRole::Master) {
    if ((ri->flags & flag::kPromoted) && (master->flags & flag::kFailoverInProgress) &&
        master->failover_state == FailoverState::WaitPromotion) {
      on_replica_promoted(ri);
      return;
    }
    // A replica turned master on its own: force our view after a grace period, to
    // receive newer configurations first.
    TimeMs wait_time = tun().publish_period * 4;
    if (!(ri->flags & flag::kPromoted) && master_looks_sane(master) && no_down_for(ri, wait_time) &&
        now - ri->role_reported_time > wait_time) {
      send_slaveof(ri, master->addr);
      event(LogLevel::Notice, "+convert-to-slave", ri, "");
    }
  }

  if (report.role == ReportedRole::Slave &&
      (ri->slave_master_port != master->addr.port ||
       !text::iequals(master->addr.host, ri->slave_master_host))) {
    TimeMs wait_time = master->cfg.failover_timeout_ms;
    if (master_looks_sane(master) && no_down_for(ri, wait_time) &&
        now - ri->slave_conf_change_time > wait_time) {
      send_slaveof(ri, master->addr);
      event(LogLevel::Notice, "+fix-slave-config", ri, "");
    }
  }

  if (report.role == ReportedRole::Slave && (ri->flags & (flag::kReconfSent | flag::kReconfInprog)) &&
      master->promoted) {
    if ((ri->flags & flag::kReconfSent) && !ri->slave_master_host.empty() &&
        text::iequals(master->promoted->addr.host, ri->slave_master_host) &&
        ri->slave_master_port == master->promoted->addr.port) {
      ri->flags &= ~flag::kReconfSent;
      ri->flags |= flag::kReconfInprog;
      event(LogLevel::Notice, "+slave-reconf-inprog", ri, "");
    }
    if ((ri->flags & flag::kReconfInprog) && ri->slave_master_link_up) {
      ri->flags &= ~flag::kReconfInprog;
      ri->flags |= flag::kReconfDone;
      event(LogLevel::Notice, "+slave-reconf-done", ri, "");
    }
  }
}

// The replica we promoted reports role:master: the failover is now irreversible.
void Sentinel::Impl::on_replica_promoted(Instance* ri) {
  Instance* master = ri->master;
  Address old_addr = master->addr;
  master->config_epoch = master->failover_epoch;
  master->failover_state = FailoverState::ReconfSlaves;
  master->failover_state_change_time = now;
  persist();
  event(LogLevel::Warning, "+promoted-slave", ri, "");
  if (simfailure_flags & kSimFailureCrashAfterPromotion) {
    crash("crash-after-promotion");
    return;
  }
  event(LogLevel::Warning, "+failover-state-reconf-slaves", master, "");
  call_client_reconfig(master, "leader", old_addr, ri->addr);
  if (master->lossless == detail::LosslessPhase::Ready) lossless_release_old_master(master, ri->addr);
  if (vigil().push_config_enabled()) {
    // Clients following +switch-master can move now: the new master already accepts writes.
    event(LogLevel::Warning, "+switch-master", master,
          master->name + " " + old_addr.host + " " + std::to_string(old_addr.port) + " " +
              ri->addr.host + " " + std::to_string(ri->addr.port),
          false);
    master->switch_announced = true;
  }
  force_hello_update(master);
}

}  // namespace vigil::sentinel
