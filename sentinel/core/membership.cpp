// Creating, forgetting, resetting and re-addressing instance records (Redis
// createSentinelRedisInstance, sentinelResetMaster, sentinelResetMasterAndChangeAddress,
// link sharing between the records of one peer sentinel).
#include "sentinel/core/impl.h"

namespace vigil::sentinel {
namespace {

void init_common(Instance& ri, InstanceKind kind, TimeMs now) {
  ri.kind = kind;
  ri.flags = kind == InstanceKind::Master ? flag::kMaster
             : kind == InstanceKind::Replica ? flag::kSlave
                                             : flag::kSentinel;
  ri.last_pub_time = now;
  ri.last_hello_time = now;
  ri.last_master_down_reply_time = now;
  ri.role_reported = kind == InstanceKind::Replica ? InstanceKind::Replica : InstanceKind::Master;
  ri.role_reported_time = now;
  ri.slave_conf_change_time = now;
}

}  // namespace

Instance* Sentinel::Impl::create_master(const MasterConfig& mc) {
  if (find_master(mc.name)) return nullptr;
  auto ri = std::make_unique<Instance>();
  init_common(*ri, InstanceKind::Master, now);
  ri->name = mc.name;
  ri->addr = mc.addr;
  ri->cfg = mc;
  ri->down_after_period = mc.down_after_ms;
  ri->master_reboot_down_after_period = mc.master_reboot_down_after_period_ms;
  ri->link = new_link(false);
  masters.push_back(std::move(ri));
  return register_instance(masters.back());
}

Instance* Sentinel::Impl::find_replica(const Instance* master, const Address& addr) const {
  for (auto& r : master->replicas)
    if (r->addr == addr) return r.get();
  return nullptr;
}

Instance* Sentinel::Impl::create_replica(Instance* master, const Address& addr) {
  if (addr.port < 0 || addr.port > 65535 || find_replica(master, addr)) return nullptr;
  auto ri = std::make_unique<Instance>();
  init_common(*ri, InstanceKind::Replica, now);
  ri->name = addr.to_name();
  ri->addr = addr;
  ri->master = master;
  ri->down_after_period = master->down_after_period;
  ri->link = new_link(false);
  master->replicas.push_back(std::move(ri));
  return register_instance(master->replicas.back());
}

Instance* Sentinel::Impl::create_sentinel(Instance* master, const std::string& runid,
                                          const Address& addr) {
  if (addr.port < 0 || addr.port > 65535 || runid.empty()) return nullptr;
  for (auto& s : master->sentinels)
    if (s->name == runid) return nullptr;
  auto ri = std::make_unique<Instance>();
  init_common(*ri, InstanceKind::Sentinel, now);
  ri->name = runid;
  ri->runid = runid;
  ri->addr = addr;
  ri->master = master;
  ri->down_after_period = master->down_after_period;
  ri->link = new_link(true);
  master->sentinels.push_back(std::move(ri));
  return register_instance(master->sentinels.back());
}

int Sentinel::Impl::remove_matching_sentinel(Instance* master, const std::string& runid) {
  if (runid.empty()) return 0;
  int removed = 0;
  auto& list = master->sentinels;
  for (auto it = list.begin(); it != list.end();) {
    if ((*it)->runid == runid) {
      unregister_tree(it->get());
      it = list.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

// One connection per peer sentinel, whatever the number of masters it watches.
void Sentinel::Impl::try_connection_sharing(Instance* si) {
  for (auto& m : masters) {
    if (m.get() == si->master) continue;
    for (auto& match : m->sentinels) {
      if (match->runid != si->runid || match.get() == si || match->link == si->link) continue;
      release_link(si);
      si->link = match->link;
      ++si->link->refcount;
      return;
    }
  }
}

void Sentinel::Impl::update_sentinel_address_in_all_masters(Instance* si) {
  int reconfigured = 0;
  for (auto& m : masters) {
    for (auto& match : m->sentinels) {
      if (match->runid != si->runid) continue;
      close_connection(*match->link, Connection::Command);
      close_connection(*match->link, Connection::PubSub);
      if (match.get() == si) continue;
      match->addr = si->addr;
      ++reconfigured;
    }
  }
  if (reconfigured)
    event(LogLevel::Notice, "+sentinel-address-update", si,
          std::to_string(reconfigured) + " additional matching instances");
}

void Sentinel::Impl::reset_master(Instance* master, bool keep_sentinels, bool generate_event) {
  if (master->old_master_paused) lossless_release_old_master(master, std::nullopt);
  for (auto& r : master->replicas) unregister_tree(r.get());
  master->replicas.clear();
  if (!keep_sentinels) {
    for (auto& s : master->sentinels) unregister_tree(s.get());
    master->sentinels.clear();
  }
  close_connection(*master->link, Connection::Command);
  close_connection(*master->link, Connection::PubSub);
  master->flags &= flag::kMaster;
  master->leader.clear();
  master->failover_state = FailoverState::None;
  master->failover_state_change_time = 0;
  master->failover_start_time = kNeverMs;  // a new failover may start at once
  master->promoted = nullptr;
  master->switch_announced = false;
  master->lossless = detail::LosslessPhase::None;
  master->runid.clear();
  master->slave_master_host.clear();
  // vigil: ask the (possibly new) master for INFO as soon as it is reconnected, so its
  // replicas are discovered at once (Redis waits for the next 10 s INFO period).
  master->info_refresh = 0;
  master->info_text.reset();
  master->link->act_ping_time = now;
  master->link->last_ping_time = kNeverMs;
  master->link->last_avail_time = now;
  master->link->last_pong_time = now;
  // Reconnect at the next tick, not a ping period after the last attempt (which may have
  // been made moments ago to the old, dead address): a new master must not go SDOWN just
  // because we were slow to connect to it.
  master->link->last_reconn_time = kNeverMs;
  master->role_reported = InstanceKind::Master;
  master->role_reported_time = now;
  if (generate_event) event(LogLevel::Warning, "+reset-master", master, "");
}

void Sentinel::Impl::reset_master_and_change_address(Instance* master, const Address& addr) {
  std::vector<Address> replicas;
  for (auto& r : master->replicas)
    if (r->addr != addr) replicas.push_back(r->addr);
  if (addr != master->addr) replicas.push_back(master->addr);  // the old master
  reset_master(master, true, false);
  master->addr = addr;
  // Peers' down reports and votes were about the old address: a new master starts with a
  // clean slate (Redis keeps them for up to 5 ask periods and can put the new master in
  // ODOWN on the strength of opinions about the old one).
  for (auto& s : master->sentinels) {
    s->flags &= ~flag::kMasterDown;
    s->leader.clear();
    s->leader_epoch = 0;
  }
  master->o_down_since_time = 0;
  master->s_down_since_time = 0;
  for (const Address& a : replicas)
    if (Instance* r = create_replica(master, a)) event(LogLevel::Notice, "+slave", r, "");
  persist();
}

}  // namespace vigil::sentinel
