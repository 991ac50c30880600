#include "node/replication/replication_config.h"

#include <cctype>
#include <climits>
#include <utility>
#include <vector>

#include "common/util/numbers.h"

namespace vigil::node::replication {

namespace {

bool eq_nocase(const std::string& a, const char* b) {
  size_t n = a.size();
  for (size_t i = 0; i < n; i++) {
    if (b[i] == '\0' || std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return b[n] == '\0';
}

// replicaof/slaveof: "<host> <port>" or "no one". Immutable at runtime (the
// REPLICAOF command changes the role), as in Redis.
config::Param replicaof_param(ReplicationConfig& cfg) {
  config::Param p;
  p.name = "replicaof";
  p.aliases = {"slaveof"};
  p.flags = config::kMultiArg | config::kImmutable;
  p.set = [&cfg](const std::vector<std::string>& args, std::string* err) {
    if (args.size() != 2) {
      *err = "wrong number of arguments";
      return 0;
    }
    if (eq_nocase(args[0], "no") && eq_nocase(args[1], "one")) {
      cfg.replicaof_host.clear();
      cfg.replicaof_port = 0;
      return 1;
    }
    long long port = 0;
    if (!util::string2ll(args[1], &port) || port < 0 || port > 65535) {
      *err = "Invalid master port";
      return 0;
    }
    cfg.replicaof_host = args[0];
    cfg.replicaof_port = static_cast<int>(port);
    return 1;
  };
  p.get = [&cfg] {
    return cfg.is_replica() ? cfg.replicaof_host + " " + std::to_string(cfg.replicaof_port) : std::string();
  };
  p.rewrite = [&cfg](config::ConfigRewriter& rw) {
    // Redis writes the line only for a replica and removes it from a master's file.
    if (cfg.is_replica()) {
      rw.rewrite_line("replicaof", "replicaof " + cfg.replicaof_host + " " + std::to_string(cfg.replicaof_port),
                      true);
    } else {
      rw.mark_processed("replicaof");
    }
  };
  return p;
}

// The registry indexes aliases when a parameter is added, so a typed
// parameter is built in a scratch registry and re-added with its aliases.
void add_with_aliases(config::ConfigRegistry& reg, const config::Param& built, std::vector<std::string> aliases) {
  config::Param p = built;
  p.aliases = std::move(aliases);
  p.rewrite = nullptr;  // the scratch one points into the scratch registry
  reg.add(std::move(p));
}

}  // namespace

void register_replication_config(config::ConfigRegistry& reg, ReplicationConfig& cfg) {
  reg.add(replicaof_param(cfg));
  reg.add_string("masterauth", &cfg.masterauth, "", config::kSensitive);
  reg.add_string("masteruser", &cfg.masteruser, "", config::kSensitive);
  reg.add_memory("repl-backlog-size", &cfg.repl_backlog_size, 1, LLONG_MAX, static_cast<int64_t>(1024 * 1024));
  reg.add_int("repl-backlog-ttl", &cfg.repl_backlog_ttl, 0, LONG_MAX, static_cast<int64_t>(3600));
  reg.add_int("repl-timeout", &cfg.repl_timeout, 1, INT_MAX, 60);
  reg.add_bool("replica-announced", &cfg.replica_announced, true);
  reg.add_bool("repl-diskless-sync", &cfg.repl_diskless_sync, true);
  reg.add_int("repl-diskless-sync-delay", &cfg.repl_diskless_sync_delay, 0, INT_MAX, 5);
  reg.add_int("repl-diskless-sync-max-replicas", &cfg.repl_diskless_sync_max_replicas, 0, INT_MAX, 0);

  config::ConfigRegistry scratch;
  add_with_aliases(reg, scratch.add_int("repl-ping-replica-period", &cfg.repl_ping_replica_period, 1, INT_MAX, 10),
                   {"repl-ping-slave-period"});
  add_with_aliases(reg, scratch.add_bool("replica-read-only", &cfg.replica_read_only, true), {"slave-read-only"});
  add_with_aliases(reg, scratch.add_bool("replica-serve-stale-data", &cfg.replica_serve_stale_data, true),
                   {"slave-serve-stale-data"});
  add_with_aliases(reg, scratch.add_int("replica-priority", &cfg.replica_priority, 0, INT_MAX, 100),
                   {"slave-priority"});
  add_with_aliases(reg, scratch.add_string("replica-announce-ip", &cfg.replica_announce_ip, ""),
                   {"slave-announce-ip"});
  add_with_aliases(reg, scratch.add_int("replica-announce-port", &cfg.replica_announce_port, 0, 65535, 0),
                   {"slave-announce-port"});
  add_with_aliases(reg, scratch.add_int("min-replicas-to-write", &cfg.min_replicas_to_write, 0, INT_MAX, 0),
                   {"min-slaves-to-write"});
  add_with_aliases(reg, scratch.add_int("min-replicas-max-lag", &cfg.min_replicas_max_lag, 0, INT_MAX, 10),
                   {"min-slaves-max-lag"});
}

}  // namespace vigil::node::replication
