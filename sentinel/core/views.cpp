// Read-only views of the records (SENTINEL MASTER(S)/REPLICAS/SENTINELS, INFO sentinel,
// INFO-CACHE, GET-MASTER-ADDR-BY-NAME) and Redis's field list for them.
#include "sentinel/core/impl.h"

namespace vigil::sentinel {

InstanceView Sentinel::Impl::view(const Instance* ri) const {
  const Link& link = *ri->link;
  InstanceView v;
  v.kind = ri->kind;
  v.name = ri->name;
  v.addr = ri->addr;
  v.runid = ri->runid;
  v.flags = ri->flags;
  v.disconnected = link.disconnected();
  v.flags_string = flags_to_string(ri->flags, v.disconnected);
  v.link_pending_commands = link.pending_commands;
  v.link_refcount = link.refcount;
  v.last_ping_sent = link.act_ping_time ? now - link.act_ping_time : 0;
  v.last_ok_ping_reply = now - link.last_avail_time;
  v.last_ping_reply = now - link.last_pong_time;
  if (ri->flags & flag::kSDown) v.s_down_time = now - ri->s_down_since_time;
  if (ri->flags & flag::kODown) v.o_down_time = now - ri->o_down_since_time;
  v.down_after_ms = ri->down_after_period;
  v.info_refresh = ri->info_refresh ? now - ri->info_refresh : 0;
  v.role_reported = ri->role_reported == InstanceKind::Master ? "master" : "slave";
  v.role_reported_time = now - ri->role_reported_time;
  if (ri->is_master()) {
    v.failover_state = ri->failover_state;
    v.config_epoch = ri->config_epoch;
    v.num_slaves = static_cast<int64_t>(ri->replicas.size());
    v.num_other_sentinels = static_cast<int64_t>(ri->sentinels.size());
    v.quorum = ri->cfg.quorum;
    v.failover_timeout_ms = ri->cfg.failover_timeout_ms;
    v.parallel_syncs = ri->cfg.parallel_syncs;
    v.notification_script = ri->cfg.notification_script;
    v.client_reconfig_script = ri->cfg.client_reconfig_script;
    v.leader = ri->leader;
    v.leader_epoch = ri->leader_epoch;
    v.failover_epoch = ri->failover_epoch;
  }
  if (ri->is_replica()) {
    v.master_link_down_time = ri->master_link_down_time;
    v.master_link_up = ri->slave_master_link_up;
    v.master_host = ri->slave_master_host;
    v.master_port = ri->slave_master_port;
    v.slave_priority = ri->slave_priority;
    v.slave_repl_offset = ri->slave_repl_offset;
    v.replica_announced = ri->replica_announced;
  }
  if (ri->is_sentinel()) {
    v.last_hello_message = now - ri->last_hello_time;
    v.voted_leader = ri->leader;
    v.voted_leader_epoch = ri->leader_epoch;
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> redis_fields(const InstanceView& v) {
  std::vector<std::pair<std::string, std::string>> f;
  auto add = [&f](const char* k, std::string val) { f.emplace_back(k, std::move(val)); };
  auto num = [](int64_t x) { return std::to_string(x); };
  add("name", v.name);
  add("ip", v.addr.host);
  add("port", num(v.addr.port));
  add("runid", v.runid);
  add("flags", v.flags_string);
  add("link-pending-commands", num(v.link_pending_commands));
  add("link-refcount", num(v.link_refcount));
  if (v.flags & flag::kFailoverInProgress) add("failover-state", failover_state_name(v.failover_state));
  add("last-ping-sent", num(v.last_ping_sent));
  add("last-ok-ping-reply", num(v.last_ok_ping_reply));
  add("last-ping-reply", num(v.last_ping_reply));
  if (v.s_down_time) add("s-down-time", num(*v.s_down_time));
  if (v.o_down_time) add("o-down-time", num(*v.o_down_time));
  add("down-after-milliseconds", num(v.down_after_ms));
  if (v.kind != InstanceKind::Sentinel) {
    add("info-refresh", num(v.info_refresh));
    add("role-reported", v.role_reported);
    add("role-reported-time", num(v.role_reported_time));
  }
  if (v.kind == InstanceKind::Master) {
    add("config-epoch", std::to_string(v.config_epoch));
    add("num-slaves", num(v.num_slaves));
    add("num-other-sentinels", num(v.num_other_sentinels));
    add("quorum", num(v.quorum));
    add("failover-timeout", num(v.failover_timeout_ms));
    add("parallel-syncs", num(v.parallel_syncs));
    if (!v.notification_script.empty()) add("notification-script", v.notification_script);
    if (!v.client_reconfig_script.empty()) add("client-reconfig-script", v.client_reconfig_script);
  }
  if (v.kind == InstanceKind::Replica) {
    add("master-link-down-time", num(v.master_link_down_time));
    add("master-link-status", v.master_link_up ? "ok" : "err");
    add("master-host", v.master_host.empty() ? "?" : v.master_host);
    add("master-port", num(v.master_port));
    add("slave-priority", num(v.slave_priority));
    add("slave-repl-offset", num(v.slave_repl_offset));
    add("replica-announced", v.replica_announced ? "1" : "0");
  }
  if (v.kind == InstanceKind::Sentinel) {
    add("last-hello-message", num(v.last_hello_message));
    add("voted-leader", v.voted_leader.empty() ? "?" : v.voted_leader);
    add("voted-leader-epoch", std::to_string(v.voted_leader_epoch));
  }
  return f;
}

// ---- public queries ----------------------------------------------------------------------

std::vector<InstanceView> Sentinel::masters() const {
  std::vector<InstanceView> out;
  for (auto& m : impl_->masters) out.push_back(impl_->view(m.get()));
  return out;
}

std::optional<InstanceView> Sentinel::master(const std::string& name) const {
  const Instance* m = impl_->find_master(name);
  if (!m) return std::nullopt;
  return impl_->view(m);
}

std::optional<std::vector<InstanceView>> Sentinel::replicas(const std::string& name) const {
  const Instance* m = impl_->find_master(name);
  if (!m) return std::nullopt;
  std::vector<InstanceView> out;
  for (auto& r : m->replicas) out.push_back(impl_->view(r.get()));
  return out;
}

std::optional<std::vector<InstanceView>> Sentinel::sentinels(const std::string& name) const {
  const Instance* m = impl_->find_master(name);
  if (!m) return std::nullopt;
  std::vector<InstanceView> out;
  for (auto& s : m->sentinels) out.push_back(impl_->view(s.get()));
  return out;
}

std::optional<Address> Sentinel::master_addr(const std::string& name) const {
  const Instance* m = impl_->find_master(name);
  if (!m) return std::nullopt;
  return impl_->current_master_addr(m);
}

SentinelSummary Sentinel::summary() const {
  const Impl& s = *impl_;
  SentinelSummary out;
  out.tilt = s.tilt;
  out.tilt_since_seconds = s.tilt ? (s.now - s.tilt_start_time) / 1000 : -1;
  out.simulate_failure_flags = s.simfailure_flags;
  for (auto& m : s.masters) {
    MasterSummary ms;
    ms.name = m->name;
    ms.status = (m->flags & flag::kODown) ? "odown" : (m->flags & flag::kSDown) ? "sdown" : "ok";
    ms.addr = m->addr;
    ms.slaves = static_cast<int64_t>(m->replicas.size());
    ms.sentinels = static_cast<int64_t>(m->sentinels.size()) + 1;
    out.masters.push_back(std::move(ms));
  }
  return out;
}

std::optional<std::vector<InfoCacheEntry>> Sentinel::info_cache(const std::string& name) const {
  const Impl& s = *impl_;
  const Instance* m = s.find_master(name);
  if (!m) return std::nullopt;
  std::vector<InfoCacheEntry> out;
  auto entry = [&s](const Instance* ri) {
    return InfoCacheEntry{ri->info_refresh ? s.now - ri->info_refresh : 0, ri->info_text};
  };
  out.push_back(entry(m));
  for (auto& r : m->replicas) out.push_back(entry(r.get()));
  return out;
}

}  // namespace vigil::sentinel
