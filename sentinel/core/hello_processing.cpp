// Receiving hello messages (Redis sentinelProcessHelloMessage, reference §5.3): sentinel
// discovery, epoch adoption and configuration propagation (+switch-master on observers).
#include "sentinel/core/hello.h"
#include "sentinel/core/impl.h"

namespace vigil::sentinel {

void Sentinel::Impl::process_hello(const std::string& payload) {
  std::optional<Hello> hello = parse_hello(payload);
  if (!hello) return;
  if (hello->sentinel_runid == cfg.myid) return;  // our own hello, echoed back
  Instance* master = find_master(hello->master_name);
  if (!master) return;

  Address sentinel_addr{hello->sentinel_ip, hello->sentinel_port};
  Instance* si = nullptr;
  for (auto& s : master->sentinels)
    if (s->addr == sentinel_addr && s->runid == hello->sentinel_runid) si = s.get();

  if (!si) {
    // Unknown (address, runid): an address change of a known sentinel, or a new one.
    int removed = remove_matching_sentinel(master, hello->sentinel_runid);
    if (removed) {
      event(LogLevel::Notice, "+sentinel-address-switch", master,
            "ip " + hello->sentinel_ip + " port " + std::to_string(hello->sentinel_port) +
                " for " + hello->sentinel_runid);
    } else {
      Instance* other = nullptr;
      for (auto& s : master->sentinels)
        if (s->addr == sentinel_addr) other = s.get();
      if (other) {
        // Another runid at the same address: that sentinel restarted with a new id.
        event(LogLevel::Notice, "+sentinel-invalid-addr", other, "");
        std::string obsolete = other->runid;
        for (auto& m : masters) remove_matching_sentinel(m.get(), obsolete);
      }
    }
    si = create_sentinel(master, hello->sentinel_runid, sentinel_addr);
    if (si) {
      if (!removed) event(LogLevel::Notice, "+sentinel", si, "");
      try_connection_sharing(si);
      if (removed) update_sentinel_address_in_all_masters(si);
      persist();
    }
  }

  if (hello->current_epoch > current_epoch) {
    current_epoch = hello->current_epoch;
    persist();
    event(LogLevel::Warning, "+new-epoch", master, std::to_string(current_epoch), false);
  }

  if (si && master->config_epoch < hello->master_config_epoch) {
    master->config_epoch = hello->master_config_epoch;
    // A well-formed hello never has config epoch > current epoch; if one does, keep our
    // next failover epoch above it so config epochs keep growing (Redis does not check).
    if (current_epoch < master->config_epoch) current_epoch = master->config_epoch;
    Address advertised{hello->master_ip, hello->master_port};
    // Compare with what we announce (the promoted replica once our own failover reached
    // reconf_slaves), not only with the configured address: Redis ignores a newer config
    // naming our *old* master while we finish an older-epoch failover, and the two
    // sentinels then announce different masters with equal config epochs forever.
    Address current = current_master_addr(master);
    if (advertised != current) {
      event(LogLevel::Warning, "+config-update-from", si, "");
      event(LogLevel::Warning, "+switch-master", master,
            master->name + " " + current.host + " " + std::to_string(current.port) + " " +
                advertised.host + " " + std::to_string(advertised.port),
            false);
      reset_master_and_change_address(master, advertised);
      call_client_reconfig(master, "observer", current, master->addr);
    } else if (advertised != master->addr) {
      // The newer config confirms the replica we promoted: finish now, as Redis does.
      Address old_addr = master->addr;
      event(LogLevel::Warning, "+config-update-from", si, "");
      if (!master->switch_announced)
        event(LogLevel::Warning, "+switch-master", master,
              master->name + " " + old_addr.host + " " + std::to_string(old_addr.port) + " " +
                  advertised.host + " " + std::to_string(advertised.port),
              false);
      reset_master_and_change_address(master, advertised);
      call_client_reconfig(master, "observer", old_addr, master->addr);
    } else {
      if ((master->flags & flag::kFailoverInProgress) &&
          master->failover_state <= FailoverState::WaitPromotion &&
          master->config_epoch > master->failover_epoch) {
        // A newer epoch than ours confirmed the current master: our failover must not go on.
        log(LogLevel::Warning, "Failover of '" + master->name + "' in epoch " +
                                   std::to_string(master->failover_epoch) +
                                   " superseded by config epoch " + std::to_string(master->config_epoch));
        abort_failover(master);
      }
      persist();  // Redis keeps the adopted config epoch only in memory until a later flush
    }
  }
  if (si) si->last_hello_time = now;
}

void Sentinel::Impl::force_hello_update(Instance* master) {
  if (vigil().push_config_enabled()) {
    // Push the new configuration now instead of on the next tick.
    send_hello(master);
    for (auto& r : master->replicas) send_hello(r.get());
    for (auto& s : master->sentinels) send_hello(s.get());
    return;
  }
  auto rewind = [this](Instance* ri) {
    TimeMs step = tun().publish_period + 1;
    if (ri->last_pub_time >= step) ri->last_pub_time -= step;
  };
  rewind(master);
  for (auto& r : master->replicas) rewind(r.get());
  for (auto& s : master->sentinels) rewind(s.get());
}

}  // namespace vigil::sentinel
