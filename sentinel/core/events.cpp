// Event emission (Redis sentinelEvent), scripts, logs, persistence and crash effects.
#include "sentinel/core/impl.h"

namespace vigil::sentinel {

std::string Sentinel::Impl::instance_details(const Instance* ri) const {
  const char* type = ri->is_master() ? "master" : ri->is_replica() ? "slave" : "sentinel";
  std::string out = std::string(type) + " " + ri->name + " " + ri->addr.host + " " +
                    std::to_string(ri->addr.port);
  if (!ri->is_master()) {
    const Instance* m = ri->master;
    out += " @ " + m->name + " " + m->addr.host + " " + std::to_string(m->addr.port);
  }
  return out;
}

void Sentinel::Impl::event(LogLevel level, const std::string& type, const Instance* ri,
                           const std::string& msg, bool with_instance_prefix) {
  std::string message;
  if (ri && with_instance_prefix) {
    message = instance_details(ri);
    if (!msg.empty()) message += " " + msg;
  } else {
    message = msg;
  }
  effects.push_back(PublishEventEffect{level, type, message});
  if (level == LogLevel::Warning && ri) {
    const Instance* master = ri->owner();
    if (master && !master->cfg.notification_script.empty()) {
      effects.push_back(RunScriptEffect{RunScriptEffect::Kind::Notification,
                                        {master->cfg.notification_script, type, message}});
    }
  }
}

void Sentinel::Impl::log(LogLevel level, std::string text) {
  effects.push_back(LogEffect{level, std::move(text)});
}

void Sentinel::Impl::call_client_reconfig(const Instance* master, const char* role,
                                          const Address& from, const Address& to) {
  if (master->cfg.client_reconfig_script.empty()) return;
  effects.push_back(RunScriptEffect{
      RunScriptEffect::Kind::ClientReconfig,
      {master->cfg.client_reconfig_script, master->name, role, "start", from.host,
       std::to_string(from.port), to.host, std::to_string(to.port)}});
}

void Sentinel::Impl::persist() { effects.push_back(PersistEffect{snapshot()}); }

void Sentinel::Impl::crash(const char* reason) {
  log(LogLevel::Warning, std::string("Sentinel is simulating a failure: ") + reason);
  effects.push_back(CrashEffect{99, reason});
  crashed = true;
}

}  // namespace vigil::sentinel
