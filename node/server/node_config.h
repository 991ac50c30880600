// vigil-node's configuration values (redis.conf directives / YAML keys) as
// typed fields, and their registration in the common config registry that
// serves the config loader, CONFIG GET/SET and CONFIG REWRITE.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/config/registry.h"
#include "common/log/log.h"
#include "common/net/tcp_server.h"
#include "node/persistence/persistence_config.h"

namespace vigil::node {

struct NodeConfig {
  // Network
  int port = 6379;
  std::vector<std::string> bind = {"*", "-::*"};
  bool protected_mode = true;
  int tcp_backlog = 511;
  uint32_t maxclients = 10000;
  uint32_t timeout = 0;          // idle seconds, 0 = never
  uint32_t tcp_keepalive = 300;  // seconds
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  uint64_t client_query_buffer_limit = 1024ULL * 1024 * 1024;
  // By net::ClientClass: normal, replica ("slave"), pubsub.
  net::OutputBufferLimit client_output_buffer_limit[3] = {
      {0, 0, 0}, {256ULL << 20, 64ULL << 20, 60}, {32ULL << 20, 8ULL << 20, 60}};

  // Security
  std::string requirepass;

  // Keyspace
  int databases = 16;
  int hz = 10;
  // HyperLogLogs whose sparse encoding would exceed this turn dense.
  uint64_t hll_sparse_max_bytes = 3000;

  // Introspection (SLOWLOG, LATENCY; node/server/slowlog.h, latency_monitor.h).
  int64_t slowlog_log_slower_than = 10000;  // microseconds; negative disables
  uint64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;  // milliseconds; 0 disables
  bool latency_tracking = true;           // per-command histograms (LATENCY HISTOGRAM)

  // Process
  bool daemonize = false;
  std::string supervised = "no";
  std::string pidfile;
  std::string logfile;  // "" = stdout
  log::Level loglevel = log::Level::kNotice;
  std::string config_file;  // absolute path of the file we were started with, if any
  bool config_is_yaml = false;

  // RDB / AOF (node/persistence).
  persistence::PersistenceConfig persistence;

  // redis.conf directives vigil-node accepts and reports (CONFIG GET) but does
  // not act on (TLS, cluster, eviction tuning...), by canonical name.
  std::map<std::string, std::string> accepted_only;

  // True while the config file is applied: repeated `save` lines accumulate
  // there, while CONFIG SET save replaces.
  bool loading_file = false;
};

// Registers vigil-node's own parameters (network, security, process,
// persistence) bound to cfg's fields.
void register_node_config(config::ConfigRegistry& reg, NodeConfig& cfg);
// Registers the remaining Redis 7.0 parameters, as accepted-only values with
// Redis's defaults, unless some module registered them already. Call last.
void register_accepted_only_config(config::ConfigRegistry& reg, NodeConfig& cfg);

}  // namespace vigil::node
