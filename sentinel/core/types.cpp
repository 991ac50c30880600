#include "sentinel/core/types.h"

#include "sentinel/core/text.h"

namespace vigil::sentinel {

bool Address::operator==(const Address& other) const {
  return port == other.port && text::iequals(host, other.host);
}

std::string Address::to_name() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

const char* failover_state_name(FailoverState s) {
  switch (s) {
    case FailoverState::None: return "none";
    case FailoverState::WaitStart: return "wait_start";
    case FailoverState::SelectSlave: return "select_slave";
    case FailoverState::SendSlaveofNoOne: return "send_slaveof_noone";
    case FailoverState::WaitPromotion: return "wait_promotion";
    case FailoverState::ReconfSlaves: return "reconf_slaves";
    case FailoverState::UpdateConfig: return "update_config";
  }
  return "unknown";
}

std::string flags_to_string(uint32_t flags, bool disconnected) {
  std::string out;
  auto add = [&out](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(flags & flag::kSDown, "s_down");
  add(flags & flag::kODown, "o_down");
  add(flags & flag::kMaster, "master");
  add(flags & flag::kSlave, "slave");
  add(flags & flag::kSentinel, "sentinel");
  add(disconnected, "disconnected");
  add(flags & flag::kMasterDown, "master_down");
  add(flags & flag::kFailoverInProgress, "failover_in_progress");
  add(flags & flag::kPromoted, "promoted");
  add(flags & flag::kReconfSent, "reconf_sent");
  add(flags & flag::kReconfInprog, "reconf_inprog");
  add(flags & flag::kReconfDone, "reconf_done");
  add(flags & flag::kForceFailover, "force_failover");
  add(flags & flag::kScriptKillSent, "script_kill_sent");
  return out;
}

}  // namespace vigil::sentinel
