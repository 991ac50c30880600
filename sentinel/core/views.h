// Read-only snapshots of the core's records, for SENTINEL MASTERS/MASTER/REPLICAS/
// SENTINELS, INFO sentinel, INFO-CACHE, GET-MASTER-ADDR-BY-NAME and for simulator
// invariant checks. Relative times ("ms ago") are computed at the core's current time
// (the latest now_ms it was given).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/core/types.h"

namespace vigil::sentinel {

// One instance record (master, replica or sentinel) with every field Redis reports.
// Fields that do not apply to `kind` keep their defaults and are omitted by redis_fields().
struct InstanceView {
  InstanceKind kind = InstanceKind::Master;
  // Common
  std::string name;            // master name | "ip:port" | sentinel runid
  Address addr;
  std::string runid;           // "" if unknown
  uint32_t flags = 0;          // flag::k* bits
  bool disconnected = true;    // link state (printed as `disconnected` in flags)
  std::string flags_string;    // Redis order, e.g. "s_down,o_down,master"
  int64_t link_pending_commands = 0;
  int64_t link_refcount = 1;
  TimeMs last_ping_sent = 0;      // ms since oldest unanswered PING, 0 if none
  TimeMs last_ok_ping_reply = 0;  // ms since last acceptable PING reply
  TimeMs last_ping_reply = 0;     // ms since last PING reply of any kind
  std::optional<TimeMs> s_down_time;  // ms since SDOWN began, when SDOWN
  std::optional<TimeMs> o_down_time;  // ms since ODOWN began, when ODOWN
  TimeMs down_after_ms = 0;
  // Masters and replicas
  TimeMs info_refresh = 0;          // ms since last INFO reply, 0 if never
  std::string role_reported;        // "master" | "slave"
  TimeMs role_reported_time = 0;    // ms since the role last changed
  // Masters
  FailoverState failover_state = FailoverState::None;
  uint64_t config_epoch = 0;
  int64_t num_slaves = 0;
  int64_t num_other_sentinels = 0;
  int quorum = 0;
  TimeMs failover_timeout_ms = 0;
  int parallel_syncs = 0;
  std::string notification_script;
  std::string client_reconfig_script;
  std::string leader;               // our vote for this master ("" if none)
  uint64_t leader_epoch = 0;
  uint64_t failover_epoch = 0;
  // Replicas
  TimeMs master_link_down_time = 0;
  bool master_link_up = false;      // master-link-status ok|err
  std::string master_host;          // "" if unknown (printed "?")
  int master_port = 0;
  int slave_priority = 100;
  int64_t slave_repl_offset = 0;
  bool replica_announced = true;
  // Sentinels
  TimeMs last_hello_message = 0;    // ms since last hello from it
  std::string voted_leader;         // "" if none (printed "?")
  uint64_t voted_leader_epoch = 0;
};

// The ordered key/value list Redis returns for SENTINEL MASTER/REPLICAS/SENTINELS
// (reference §9.3; every value a string).
std::vector<std::pair<std::string, std::string>> redis_fields(const InstanceView& v);

// One line of `INFO sentinel` (master<i>:name=..,status=..,address=..,slaves=..,sentinels=..).
struct MasterSummary {
  std::string name;
  std::string status;  // "ok" | "sdown" | "odown"
  Address addr;
  int64_t slaves = 0;
  int64_t sentinels = 0;  // known other sentinels + 1
};

struct SentinelSummary {
  bool tilt = false;
  int64_t tilt_since_seconds = -1;  // -1 if not in TILT
  int64_t simulate_failure_flags = 0;
  std::vector<MasterSummary> masters;
};

// One entry of SENTINEL INFO-CACHE: age of the cached INFO (ms) and the text (nullopt if
// never received). Master first, then replicas.
struct InfoCacheEntry {
  TimeMs age_ms = 0;
  std::optional<std::string> info;
};

// Reply of IS-MASTER-DOWN-BY-ADDR: [:down, $leader-or-*, :leader_epoch].
struct VoteReply {
  bool down = false;
  std::string leader = "*";
  uint64_t leader_epoch = 0;
};

}  // namespace vigil::sentinel
