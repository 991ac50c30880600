// Sentinel: construction, the timer (Redis sentinelTimer), shared helpers and the thin
// public wrappers that forward to Impl.
#include <algorithm>

#include "sentinel/core/impl.h"
#include "sentinel/core/text.h"

namespace vigil::sentinel {

// ---- construction ------------------------------------------------------------------------

Sentinel::Impl::Impl(Config config, std::optional<PersistedState> state, Environment environment,
                     TimeMs t)
    : cfg(std::move(config)), env(std::move(environment)), prng(cfg.rng_seed), now(t),
      previous_tick(t) {
  if (cfg.myid.empty() && state && state->myid.size() == 40) cfg.myid = state->myid;
  bool generated_id = false;
  if (cfg.myid.size() != 40) {
    static constexpr char kHex[] = "0123456789abcdef";
    cfg.myid.clear();
    for (int i = 0; i < 40; ++i) cfg.myid += kHex[random() & 15];
    generated_id = true;
  }
  for (const MasterConfig& mc : cfg.masters) create_master(mc);
  if (state) restore(*state);
  if (generated_id) persist();
}

uint64_t Sentinel::Impl::random() { return env.random ? env.random() : prng.next(); }

void Sentinel::Impl::advance(TimeMs t) {
  if (t > now) now = t;  // inputs never move time backwards
}

void Sentinel::Impl::request_tick(TimeMs t) {
  if (vigil().prompt_steps_enabled() && t < wake_at) wake_at = t;
}

// ---- lookups -----------------------------------------------------------------------------

Instance* Sentinel::Impl::find_master(const std::string& name) const {
  for (const auto& m : masters)
    if (m->name == name) return m.get();
  return nullptr;
}

Instance* Sentinel::Impl::find_master_by_addr(const Address& addr) const {
  for (const auto& m : masters)
    if (m->addr == addr) return m.get();
  return nullptr;
}

Instance* Sentinel::Impl::register_instance(std::unique_ptr<Instance>& owner) {
  owner->uid = next_uid++;
  by_uid[owner->uid] = owner.get();
  return owner.get();
}

void Sentinel::Impl::unregister_tree(Instance* ri) {
  for (auto& r : ri->replicas) unregister_tree(r.get());
  for (auto& s : ri->sentinels) unregister_tree(s.get());
  release_link(ri);
  by_uid.erase(ri->uid);
}

std::string Sentinel::Impl::command_name(const Instance* ri, const char* cmd) const {
  const Instance* master = ri->owner();
  if (master) {
    auto it = master->cfg.renamed_commands.find(text::to_lower(cmd));
    if (it != master->cfg.renamed_commands.end()) return it->second;
  }
  return cmd;
}

Address Sentinel::Impl::current_master_addr(const Instance* master) const {
  if ((master->flags & flag::kFailoverInProgress) && master->promoted &&
      master->failover_state >= FailoverState::ReconfSlaves)
    return master->promoted->addr;
  return master->addr;
}

// ---- the timer ---------------------------------------------------------------------------

void Sentinel::Impl::check_tilt(TimeMs raw_now) {
  TimeMs delta = raw_now - previous_tick;
  if (delta < 0 || delta > tun().tilt_trigger) {
    tilt = true;
    tilt_start_time = now;
    event(LogLevel::Warning, "+tilt", nullptr, "#tilt mode entered");
  }
  previous_tick = raw_now;
}

void Sentinel::Impl::handle_instance(Instance* ri) {
  reconnect(ri);
  send_periodic_commands(ri);
  if (tilt) {
    if (now - tilt_start_time < tun().tilt_period) return;
    tilt = false;
    event(LogLevel::Warning, "-tilt", nullptr, "#tilt mode exited");
  }
  check_subjectively_down(ri);
  if (ri->is_master()) {
    check_objectively_down(ri);
    if (start_failover_if_needed(ri)) ask_master_state(ri, true);
    failover_state_machine(ri);
    if (crashed) return;
    ask_master_state(ri, false);
  }
}

// ---- public API --------------------------------------------------------------------------

Sentinel::Sentinel(Config config, std::optional<PersistedState> state, Environment env, TimeMs now)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(state), std::move(env), now)) {}

Sentinel::~Sentinel() = default;

std::vector<Effect> Sentinel::take_effects() {
  std::vector<Effect> out;
  out.swap(impl_->effects);
  return out;
}

void Sentinel::tick(TimeMs now) {
  Impl& s = *impl_;
  if (s.crashed) return;
  s.advance(now);
  s.check_tilt(now);  // raw driver time: a clock going backwards must be seen
  s.wake_at = kNoDeadline;  // this tick serves every earlier request; handlers add new ones
  std::vector<Instance*> switching;
  // Handlers never add or remove masters; iterate over a snapshot anyway.
  std::vector<Instance*> list;
  for (auto& m : s.masters) list.push_back(m.get());
  for (Instance* m : list) {
    s.handle_instance(m);
    if (s.crashed) return;
    // By uid: a handler must never see a record freed by an earlier one.
    std::vector<uint64_t> children;
    for (auto& r : m->replicas) children.push_back(r->uid);
    for (auto& si : m->sentinels) children.push_back(si->uid);
    for (uint64_t uid : children) {
      auto it = s.by_uid.find(uid);
      if (it != s.by_uid.end()) s.handle_instance(it->second);
    }
    if (m->failover_state == FailoverState::UpdateConfig) switching.push_back(m);
  }
  for (Instance* m : switching) s.switch_to_promoted(m);
}

void Sentinel::on_link_up(TimeMs now, ConnId conn_id, const std::string& local_ip) {
  if (impl_->crashed) return;
  impl_->advance(now);
  impl_->link_up(conn_id, local_ip);
}

void Sentinel::on_link_down(TimeMs now, ConnId conn_id, const std::string& error) {
  if (impl_->crashed) return;
  impl_->advance(now);
  impl_->link_down(conn_id, error);
}

void Sentinel::on_reply(TimeMs now, RequestId id, const Reply& reply) {
  if (impl_->crashed) return;
  impl_->advance(now);
  impl_->reply(id, reply);
}

void Sentinel::on_pubsub_message(TimeMs now, ConnId conn_id, const std::string& channel,
                                 const std::string& payload) {
  if (impl_->crashed) return;
  impl_->advance(now);
  impl_->pubsub_message(conn_id, channel, payload);
}

void Sentinel::on_hello_publish(TimeMs now, const std::string& payload) {
  if (impl_->crashed) return;
  impl_->advance(now);
  impl_->process_hello(payload);
}

VoteReply Sentinel::is_master_down_by_addr(TimeMs now, const Address& master_addr,
                                           uint64_t req_epoch, const std::string& req_runid) {
  Impl& s = *impl_;
  s.advance(now);
  VoteReply out;
  Instance* ri = s.find_master_by_addr(master_addr);
  if (!s.tilt && ri && (ri->flags & flag::kSDown)) out.down = true;
  if (ri && req_runid != "*" && !s.crashed) {
    uint64_t leader_epoch = 0;
    std::string leader = s.vote_leader(ri, req_epoch, req_runid, &leader_epoch);
    out.leader = leader.empty() ? "*" : leader;
    out.leader_epoch = leader_epoch;
  }
  return out;
}

const std::string& Sentinel::myid() const { return impl_->cfg.myid; }
TimeMs Sentinel::next_wakeup() const { return impl_->crashed ? kNoDeadline : impl_->wake_at; }
uint64_t Sentinel::current_epoch() const { return impl_->current_epoch; }
bool Sentinel::in_tilt() const { return impl_->tilt; }
const Config& Sentinel::config() const { return impl_->cfg; }
PersistedState Sentinel::persisted_state() const { return impl_->snapshot(); }

std::vector<std::string> Sentinel::master_names() const {
  std::vector<std::string> out;
  for (auto& m : impl_->masters) out.push_back(m->name);
  return out;
}

}  // namespace vigil::sentinel
