// Replication directives of vigil-node (redis.conf names), bound to typed
// fields. register_replication_config must run before
// register_accepted_only_config so these are acted upon, not just accepted.
#pragma once

#include <cstdint>
#include <string>

#include "common/config/registry.h"

namespace vigil::node::replication {

struct ReplicationConfig {
  // replicaof <host> <port>; empty host = a master. REPLICAOF keeps these in
  // step so CONFIG REWRITE persists the role.
  std::string replicaof_host;
  int replicaof_port = 0;
  std::string masterauth;
  std::string masteruser;

  int64_t repl_backlog_size = 1024 * 1024;
  int64_t repl_backlog_ttl = 3600;  // seconds without replicas before the backlog is freed
  int repl_timeout = 60;
  int repl_ping_replica_period = 10;
  // Full syncs: RDB streamed from the fork child (yes) or through dump.rdb;
  // diskless waits up to delay seconds for more replicas to share the child,
  // starting early once max-replicas (0 = no limit) are waiting.
  bool repl_diskless_sync = true;
  int repl_diskless_sync_delay = 5;
  int repl_diskless_sync_max_replicas = 0;

  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  int replica_priority = 100;
  bool replica_announced = true;
  std::string replica_announce_ip;
  int replica_announce_port = 0;

  int min_replicas_to_write = 0;
  int min_replicas_max_lag = 10;

  bool is_replica() const { return !replicaof_host.empty(); }
};

void register_replication_config(config::ConfigRegistry& reg, ReplicationConfig& cfg);

}  // namespace vigil::node::replication
