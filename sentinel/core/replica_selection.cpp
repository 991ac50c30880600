// Choosing the replica to promote (Redis sentinelSelectSlave, reference §8.1).
#include <algorithm>

#include "sentinel/core/impl.h"
#include "sentinel/core/text.h"

namespace vigil::sentinel {
namespace {

// Lower priority first, then larger replication offset, then smaller run id
// (case-insensitive); unknown run ids last.
bool better_candidate(const Instance* a, const Instance* b) {
  if (a->slave_priority != b->slave_priority) return a->slave_priority < b->slave_priority;
  if (a->slave_repl_offset != b->slave_repl_offset) return a->slave_repl_offset > b->slave_repl_offset;
  if (a->runid.empty() || b->runid.empty()) return !a->runid.empty() && b->runid.empty();
  return text::to_lower(a->runid) < text::to_lower(b->runid);
}

}  // namespace

Instance* Sentinel::Impl::select_slave(Instance* master) const {
  TimeMs max_master_down_time = 0;
  if (master->flags & flag::kSDown) max_master_down_time += now - master->s_down_since_time;
  max_master_down_time += master->down_after_period * 10;
  TimeMs info_validity = (master->flags & flag::kSDown) ? tun().ping_period * 5 : tun().info_period * 3;

  std::vector<Instance*> candidates;
  for (auto& rp : master->replicas) {
    Instance* r = rp.get();
    if (r->flags & (flag::kSDown | flag::kODown)) continue;
    if (r->link->disconnected()) continue;
    if (now - r->link->last_avail_time > tun().ping_period * 5) continue;
    if (vigil().strict_liveness_enabled() && r->link->act_ping_time != 0 &&
        now - r->link->act_ping_time > tun().ping_period)
      continue;
    if (r->slave_priority == 0 && !cfg.testing.promote_priority_zero) continue;
    if (r->info_refresh == 0 || now - r->info_refresh > info_validity) continue;
    if (r->master_link_down_time > max_master_down_time) continue;
    candidates.push_back(r);
  }
  if (candidates.empty()) return nullptr;
  return *std::min_element(candidates.begin(), candidates.end(), better_candidate);
}

}  // namespace vigil::sentinel
