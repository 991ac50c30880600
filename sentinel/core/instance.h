// Internal records of the sentinel core: links and instances (Redis's instanceLink and
// sentinelRedisInstance). Not part of the public API.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/config.h"
#include "sentinel/core/types.h"

namespace vigil::sentinel::detail {

// The network link to one instance. Masters and replicas own theirs; the records of one
// peer sentinel under different masters share a single link (refcount = sharers).
struct Link {
  bool sentinel = false;  // Command connection only
  int refcount = 1;
  ConnId cc = 0;          // Command connection, 0 = none
  ConnId pc = 0;          // PubSub connection, 0 = none
  bool cc_established = false;
  std::string local_ip;   // local address of cc (hello IP without announce-ip)
  int64_t pending_commands = 0;
  TimeMs cc_conn_time = 0;
  TimeMs pc_conn_time = 0;
  TimeMs pc_last_activity = 0;
  TimeMs last_avail_time = 0;  // last acceptable PING reply
  TimeMs act_ping_time = 0;    // oldest unanswered PING, 0 when answered
  TimeMs last_ping_time = kNeverMs;   // last PING sent
  TimeMs last_pong_time = 0;   // last PING reply of any kind
  TimeMs last_reconn_time = kNeverMs;

  bool disconnected() const { return cc == 0 || (!sentinel && pc == 0); }
};

// vigil's lossless manual failover: progress of the write pause on the old master.
enum class LosslessPhase : uint8_t {
  None,       // not used for this failover (or fell back to the Redis path)
  Pausing,    // CLIENT PAUSE sent, waiting for its reply
  CatchingUp, // master paused; waiting for the replica to reach the master's offset
  Ready,      // replica caught up: promote
  Skipped,    // old master unreachable or refused the pause: Redis's path
};

struct Instance {
  uint64_t uid = 0;  // stable identity for request callbacks (never reused)
  InstanceKind kind = InstanceKind::Master;
  uint32_t flags = 0;
  std::string name;
  std::string runid;  // "" = unknown
  Address addr;
  std::shared_ptr<Link> link;
  Instance* master = nullptr;  // replicas and sentinels: the master they belong to

  uint64_t config_epoch = 0;
  TimeMs last_pub_time = 0;
  TimeMs last_hello_time = 0;
  TimeMs last_master_down_reply_time = 0;
  TimeMs s_down_since_time = 0;
  TimeMs o_down_since_time = 0;
  TimeMs down_after_period = 0;
  TimeMs master_reboot_down_after_period = 0;
  TimeMs master_reboot_since_time = 0;
  TimeMs info_refresh = 0;  // 0 = never
  RequestId info_in_flight = 0;  // outstanding INFO (one at a time)
  InstanceKind role_reported = InstanceKind::Master;
  TimeMs role_reported_time = 0;
  TimeMs slave_conf_change_time = 0;
  std::optional<std::string> info_text;  // cached raw INFO (INFO-CACHE)
  RequestId ask_in_flight = 0;  // sentinels: outstanding IS-MASTER-DOWN-BY-ADDR
  TimeMs ask_sent_time = 0;

  // Masters
  MasterConfig cfg;  // quorum, timeouts, auth, scripts, renames (cfg.name/addr unused)
  std::vector<std::unique_ptr<Instance>> replicas;
  std::vector<std::unique_ptr<Instance>> sentinels;
  std::string leader;  // masters: our vote; sentinels: the vote it reported ("" = none)
  uint64_t leader_epoch = 0;
  uint64_t failover_epoch = 0;
  FailoverState failover_state = FailoverState::None;
  TimeMs failover_state_change_time = 0;
  TimeMs failover_start_time = kNeverMs;  // kNeverMs: may fail over at once
  TimeMs failover_delay_logged = 0;
  Instance* promoted = nullptr;
  bool switch_announced = false;  // vigil push_config: +switch-master already published
  LosslessPhase lossless = LosslessPhase::None;
  TimeMs lossless_since = 0;
  int64_t paused_master_offset = -1;  // master_repl_offset read after the pause
  bool old_master_paused = false;     // a CLIENT PAUSE may be in effect on the old master

  // Replicas (and, for master_repl_offset, any instance)
  TimeMs master_link_down_time = 0;
  int slave_priority = 100;
  bool replica_announced = true;
  TimeMs slave_reconf_sent_time = 0;
  std::string slave_master_host;  // "" = unknown
  int slave_master_port = 0;
  bool slave_master_link_up = false;
  int64_t slave_repl_offset = 0;
  int64_t master_repl_offset = -1;  // from INFO; -1 = unknown

  bool is_master() const { return kind == InstanceKind::Master; }
  bool is_replica() const { return kind == InstanceKind::Replica; }
  bool is_sentinel() const { return kind == InstanceKind::Sentinel; }
  // The master this record belongs to (itself for a master).
  Instance* owner() { return is_master() ? this : master; }
  const Instance* owner() const { return is_master() ? this : master; }
};

}  // namespace vigil::sentinel::detail
