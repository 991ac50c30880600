// Failure detection: SDOWN (every instance), ODOWN (masters, by quorum of peer reports)
// and asking peers with IS-MASTER-DOWN-BY-ADDR (reference §6).
#include "sentinel/core/impl.h"

namespace vigil::sentinel {

void Sentinel::Impl::check_subjectively_down(Instance* ri) {
  Link& link = *ri->link;
  TimeMs elapsed = 0;
  if (vigil().fast_detection_enabled()) {
    // Silent since its last valid reply, while we are asking (see VigilOptions).
    if (link.act_ping_time || link.disconnected()) elapsed = now - link.last_avail_time;
  } else if (link.act_ping_time) {
    elapsed = now - link.act_ping_time;
  } else if (link.disconnected()) {
    elapsed = now - link.last_avail_time;
  }

  // Kill a command connection that looks stuck (connected but not answering PINGs): a
  // fresh connection may work (e.g. after a network partition healed).
  if (link.cc && now - link.cc_conn_time > tun().min_link_reconnect_period &&
      link.act_ping_time != 0 && now - link.act_ping_time > ri->down_after_period / 2 &&
      now - link.last_pong_time > ri->down_after_period / 2) {
    close_connection(link, Connection::Command);
  }
  // Same for a pub/sub connection with no traffic (our own hellos flow through it).
  if (link.pc && now - link.pc_conn_time > tun().min_link_reconnect_period &&
      now - link.pc_last_activity > tun().publish_period * 3) {
    close_connection(link, Connection::PubSub);
  }

  bool down =
      elapsed > ri->down_after_period ||
      (ri->is_master() && ri->role_reported == InstanceKind::Replica &&
       now - ri->role_reported_time > ri->down_after_period + tun().info_period * 2) ||
      ((ri->flags & flag::kMasterReboot) &&
       now - ri->master_reboot_since_time > ri->master_reboot_down_after_period);
  if (down) {
    if (!(ri->flags & flag::kSDown)) {
      event(LogLevel::Warning, "+sdown", ri, "");
      ri->s_down_since_time = now;
      ri->flags |= flag::kSDown;
    }
  } else {
    if (ri->flags & flag::kSDown) {
      ri->flags &= ~(flag::kSDown | flag::kScriptKillSent);
      event(LogLevel::Warning, "-sdown", ri, "");
    }
    // Be there the moment down-after expires, not at the next 100 ms tick.
    if (elapsed > 0) request_tick(now - elapsed + ri->down_after_period + 1);
  }
}

void Sentinel::Impl::check_objectively_down(Instance* master) {
  int votes = 0;
  bool odown = false;
  if (master->flags & flag::kSDown) {
    votes = 1;
    for (auto& s : master->sentinels)
      if (s->flags & flag::kMasterDown) ++votes;
    odown = votes >= master->cfg.quorum;
  }
  if (odown) {
    if (!(master->flags & flag::kODown)) {
      event(LogLevel::Warning, "+odown", master,
            "#quorum " + std::to_string(votes) + "/" + std::to_string(master->cfg.quorum));
      master->flags |= flag::kODown;
      master->o_down_since_time = now;
    }
  } else if (master->flags & flag::kODown) {
    event(LogLevel::Warning, "-odown", master, "");
    master->flags &= ~flag::kODown;
  }
}

void Sentinel::Impl::ask_master_state(Instance* master, bool forced) {
  for (auto& sp : master->sentinels) {
    Instance* ri = sp.get();
    TimeMs elapsed = now - ri->last_master_down_reply_time;
    // Stale opinions expire: no reply for 5 ask periods.
    if (elapsed > tun().ask_period * 5) {
      ri->flags &= ~flag::kMasterDown;
      ri->leader.clear();
    }
    // vigil: a manual failover also asks for votes (see VigilOptions::elected_manual_failover).
    bool manual_election = (master->flags & flag::kForceFailover) &&
                           master->failover_state == FailoverState::WaitStart &&
                           vigil().elected_manual_enabled();
    if (!(master->flags & flag::kSDown) && !manual_election) continue;
    if (ri->link->disconnected()) continue;
    if (!forced && elapsed < tun().ask_period) continue;
    // One question in flight per peer (Redis re-asks every tick without replies,
    // reference §14.12), unless it is older than an ask period or this is a forced ask.
    if (!forced && ri->ask_in_flight != 0 && requests.count(ri->ask_in_flight) &&
        now - ri->ask_sent_time < tun().ask_period)
      continue;
    std::string runid = master->failover_state > FailoverState::None ? cfg.myid : "*";
    ri->ask_in_flight = send(ri, RequestKind::AskMasterDown,
                             {command_name(ri, "SENTINEL"), "is-master-down-by-addr", master->addr.host,
                              std::to_string(master->addr.port), std::to_string(current_epoch), runid});
    ri->ask_sent_time = now;
  }
}

void Sentinel::Impl::handle_ask_reply(Instance* ri, const Reply& r) {
  if (r.type != Reply::Type::Array || r.elements.size() != 3 ||
      r.elements[0].type != Reply::Type::Integer ||
      (r.elements[1].type != Reply::Type::Bulk && r.elements[1].type != Reply::Type::Status) ||
      r.elements[2].type != Reply::Type::Integer)
    return;
  ri->last_master_down_reply_time = now;
  if (r.elements[0].integer == 1) ri->flags |= flag::kMasterDown;
  else ri->flags &= ~flag::kMasterDown;
  const std::string& leader = r.elements[1].str;
  if (leader != "*") {
    uint64_t epoch = static_cast<uint64_t>(r.elements[2].integer);
    if (ri->leader_epoch != epoch)
      log(LogLevel::Notice, ri->name + " voted for " + leader + " " + std::to_string(epoch));
    ri->leader = leader;
    ri->leader_epoch = epoch;
  }
}

}  // namespace vigil::sentinel
