// The durable snapshot (what Redis rewrites into sentinel.conf) and restoring from it.
#include <algorithm>

#include "sentinel/core/impl.h"

namespace vigil::sentinel {

PersistedState Sentinel::Impl::snapshot() const {
  PersistedState st;
  st.myid = cfg.myid;
  st.current_epoch = current_epoch;
  st.globals = cfg.globals;
  st.globals.requirepass.clear();  // the node's own secret: not sentinel state
  for (auto& m : masters) {
    PersistedMaster pm;
    pm.settings = m->cfg;
    pm.settings.name = m->name;
    pm.settings.addr = current_master_addr(m.get());
    pm.settings.down_after_ms = m->down_after_period;
    pm.config_epoch = m->config_epoch;
    pm.leader = m->leader;
    pm.leader_epoch = m->leader_epoch;
    for (auto& r : m->replicas) {
      // During reconf_slaves the promoted replica is the current master: remember the old
      // master in its place (as Redis's rewrite does).
      pm.known_replicas.push_back(r->addr == pm.settings.addr ? m->addr : r->addr);
    }
    for (auto& s : m->sentinels)
      if (!s->runid.empty()) pm.known_sentinels.push_back({s->runid, s->addr});
    st.masters.push_back(std::move(pm));
  }
  return st;
}

void Sentinel::Impl::restore(const PersistedState& state) {
  current_epoch = std::max(current_epoch, state.current_epoch);
  for (const PersistedMaster& pm : state.masters) {
    Instance* m = find_master(pm.settings.name);
    if (!m) continue;
    m->config_epoch = pm.config_epoch;
    m->leader = pm.leader;
    m->leader_epoch = pm.leader_epoch;
    current_epoch = std::max({current_epoch, pm.config_epoch, pm.leader_epoch});
    if (!pm.settings.addr.host.empty()) m->addr = pm.settings.addr;
    for (const Address& a : pm.known_replicas)
      if (a != m->addr) create_replica(m, a);
    for (const PersistedSentinel& ps : pm.known_sentinels) {
      if (ps.runid == cfg.myid) continue;
      if (Instance* si = create_sentinel(m, ps.runid, ps.addr)) try_connection_sharing(si);
    }
  }
}

}  // namespace vigil::sentinel
