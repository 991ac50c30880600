#include "node/server/node_config.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <set>
#include <string_view>

#include "common/util/numbers.h"

namespace vigil::node {

namespace {

using config::ConfigRewriter;
using config::Param;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

bool eq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// client-output-buffer-limit <class> <hard> <soft> <soft seconds> [...]
Param output_buffer_limit_param(NodeConfig& cfg) {
  static const char* kClassNames[3] = {"normal", "slave", "pubsub"};
  Param p;
  p.name = "client-output-buffer-limit";
  p.flags = config::kMultiArg;
  p.set = [&cfg](const std::vector<std::string>& args, std::string* err) {
    if (args.empty() || args.size() % 4 != 0) {
      *err = "Wrong number of arguments in buffer limit configuration.";
      return 0;
    }
    net::OutputBufferLimit next[3];
    std::copy(std::begin(cfg.client_output_buffer_limit), std::end(cfg.client_output_buffer_limit), next);
    for (size_t i = 0; i < args.size(); i += 4) {
      int cls = -1;
      if (eq(args[i], "normal")) cls = 0;
      if (eq(args[i], "slave") || eq(args[i], "replica")) cls = 1;
      if (eq(args[i], "pubsub")) cls = 2;
      if (cls < 0) {
        *err = "Invalid client class specified in buffer limit configuration.";
        return 0;
      }
      auto hard = util::memtoull(args[i + 1]);
      auto soft = util::memtoull(args[i + 2]);
      long long secs = 0;
      if (!hard || !soft || !util::string2ll(args[i + 3], &secs) || secs < 0) {
        *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        return 0;
      }
      next[cls] = {*hard, *soft, static_cast<uint64_t>(secs)};
    }
    std::copy(std::begin(next), std::end(next), cfg.client_output_buffer_limit);
    return 1;
  };
  p.get = [&cfg] {
    std::string out;
    for (int i = 0; i < 3; i++) {
      const auto& l = cfg.client_output_buffer_limit[i];
      if (i) out += ' ';
      out += std::string(kClassNames[i]) + " " + std::to_string(l.hard_bytes) + " " +
             std::to_string(l.soft_bytes) + " " + std::to_string(l.soft_seconds);
    }
    return out;
  };
  return p;
}

// save <seconds> <changes> [...] | save "": lines of a file accumulate.
Param save_param(NodeConfig& cfg) {
  Param p;
  p.name = "save";
  p.flags = config::kMultiArg;
  p.set = [&cfg, first_file_line = true](const std::vector<std::string>& args, std::string* err) mutable {
    std::string text = join(args);
    auto points = persistence::parse_save_points(text, err);
    if (!points) return 0;
    if (cfg.loading_file && !first_file_line) {
      cfg.persistence.save_points.insert(cfg.persistence.save_points.end(), points->begin(), points->end());
    } else {
      cfg.persistence.save_points = *points;
    }
    if (cfg.loading_file) first_file_line = false;
    return 1;
  };
  p.get = [&cfg] { return persistence::format_save_points(cfg.persistence.save_points); };
  return p;
}

std::string plain_file_name(const std::string& v) {
  return persistence::is_plain_file_name(v) ? std::string() : "dbfilename can't be a path, just a filename";
}

struct AcceptedOnly {
  const char* name;
  const char* value;
  std::vector<std::string> aliases;
  bool multi_arg;
};

// Redis 7.0.15's remaining parameters with their defaults (from CONFIG GET *).
const std::vector<AcceptedOnly>& accepted_only_params() {
  static const std::vector<AcceptedOnly> kParams = {
    {"acl-pubsub-default", "resetchannels", {}, false},
    {"aclfile", "", {}, false},
    {"acllog-max-len", "128", {}, false},
    {"active-defrag-cycle-max", "25", {}, false},
    {"active-defrag-cycle-min", "1", {}, false},
    {"active-defrag-ignore-bytes", "104857600", {}, false},
    {"active-defrag-max-scan-fields", "1000", {}, false},
    {"active-defrag-threshold-lower", "10", {}, false},
    {"active-defrag-threshold-upper", "100", {}, false},
    {"active-expire-effort", "1", {}, false},
    {"activedefrag", "no", {}, false},
    {"activerehashing", "yes", {}, false},
    {"always-show-logo", "no", {}, false},
    {"aof-disable-auto-gc", "no", {}, false},
    {"aof-rewrite-incremental-fsync", "yes", {}, false},
    {"aof-timestamp-enabled", "no", {}, false},
    {"aof_rewrite_cpulist", "", {}, false},
    {"auto-aof-rewrite-min-size", "67108864", {}, false},
    {"auto-aof-rewrite-percentage", "100", {}, false},
    {"bgsave_cpulist", "", {}, false},
    {"bind-source-addr", "", {}, false},
    {"bio_cpulist", "", {}, false},
    {"busy-reply-threshold", "5000", {"lua-time-limit"}, false},
    {"cluster-allow-pubsubshard-when-down", "yes", {}, false},
    {"cluster-allow-reads-when-down", "no", {}, false},
    {"cluster-allow-replica-migration", "yes", {}, false},
    {"cluster-announce-bus-port", "0", {}, false},
    {"cluster-announce-hostname", "", {}, false},
    {"cluster-announce-ip", "", {}, false},
    {"cluster-announce-port", "0", {}, false},
    {"cluster-announce-tls-port", "0", {}, false},
    {"cluster-config-file", "nodes.conf", {}, false},
    {"cluster-enabled", "no", {}, false},
    {"cluster-link-sendbuf-limit", "0", {}, false},
    {"cluster-migration-barrier", "1", {}, false},
    {"cluster-node-timeout", "15000", {}, false},
    {"cluster-port", "0", {}, false},
    {"cluster-preferred-endpoint-type", "ip", {}, false},
    {"cluster-replica-no-failover", "no", {"cluster-slave-no-failover"}, false},
    {"cluster-replica-validity-factor", "10", {"cluster-slave-validity-factor"}, false},
    {"cluster-require-full-coverage", "yes", {}, false},
    {"crash-log-enabled", "yes", {}, false},
    {"crash-memcheck-enabled", "yes", {}, false},
    {"disable-thp", "yes", {}, false},
    {"dynamic-hz", "yes", {}, false},
    {"enable-debug-command", "no", {}, false},
    {"enable-module-command", "no", {}, false},
    {"enable-protected-configs", "no", {}, false},
    {"hash-max-listpack-entries", "512", {"hash-max-ziplist-entries"}, false},
    {"hash-max-listpack-value", "64", {"hash-max-ziplist-value"}, false},
    {"ignore-warnings", "", {}, false},
    {"io-threads", "1", {}, false},
    {"io-threads-do-reads", "no", {}, false},
    {"jemalloc-bg-thread", "yes", {}, false},
    {"latency-tracking-info-percentiles", "50 99 99.9", {}, true},
    {"lazyfree-lazy-eviction", "no", {}, false},
    {"lazyfree-lazy-expire", "no", {}, false},
    {"lazyfree-lazy-server-del", "no", {}, false},
    {"lazyfree-lazy-user-del", "no", {}, false},
    {"lazyfree-lazy-user-flush", "no", {}, false},
    {"lfu-decay-time", "1", {}, false},
    {"lfu-log-factor", "10", {}, false},
    {"list-compress-depth", "0", {}, false},
    {"list-max-listpack-size", "-2", {"list-max-ziplist-size"}, false},
    {"masterauth", "", {}, false},
    {"masteruser", "", {}, false},
    {"maxmemory", "0", {}, false},
    {"maxmemory-clients", "0", {}, false},
    {"maxmemory-eviction-tenacity", "10", {}, false},
    {"maxmemory-policy", "noeviction", {}, false},
    {"maxmemory-samples", "5", {}, false},
    {"min-replicas-max-lag", "10", {"min-slaves-max-lag"}, false},
    {"min-replicas-to-write", "0", {"min-slaves-to-write"}, false},
    {"no-appendfsync-on-rewrite", "no", {}, false},
    {"notify-keyspace-events", "", {}, false},
    {"oom-score-adj", "no", {}, false},
    {"oom-score-adj-values", "0 200 800", {}, true},
    {"proc-title-template", "{title} {listen-addr} {server-mode}", {}, false},
    {"propagation-error-behavior", "ignore", {}, false},
    {"rdb-del-sync-files", "no", {}, false},
    {"rdb-save-incremental-fsync", "yes", {}, false},
    {"repl-backlog-size", "1048576", {}, false},
    {"repl-backlog-ttl", "3600", {}, false},
    {"repl-disable-tcp-nodelay", "no", {}, false},
    {"repl-diskless-load", "disabled", {}, false},
    {"repl-diskless-sync", "yes", {}, false},
    {"repl-diskless-sync-delay", "5", {}, false},
    {"repl-diskless-sync-max-replicas", "0", {}, false},
    {"repl-ping-replica-period", "10", {"repl-ping-slave-period"}, false},
    {"repl-timeout", "60", {}, false},
    {"replica-announce-ip", "", {"slave-announce-ip"}, false},
    {"replica-announce-port", "0", {"slave-announce-port"}, false},
    {"replica-announced", "yes", {}, false},
    {"replica-ignore-disk-write-errors", "no", {}, false},
    {"replica-ignore-maxmemory", "yes", {"slave-ignore-maxmemory"}, false},
    {"replica-lazy-flush", "no", {"slave-lazy-flush"}, false},
    {"replica-priority", "100", {"slave-priority"}, false},
    {"replica-read-only", "yes", {"slave-read-only"}, false},
    {"replica-serve-stale-data", "yes", {"slave-serve-stale-data"}, false},
    {"replicaof", "", {"slaveof"}, false},
    {"sanitize-dump-payload", "no", {}, false},
    {"server_cpulist", "", {}, false},
    {"set-max-intset-entries", "512", {}, false},
    {"set-proc-title", "yes", {}, false},
    {"shutdown-on-sigint", "default", {}, false},
    {"shutdown-on-sigterm", "default", {}, false},
    {"shutdown-timeout", "10", {}, false},
    {"socket-mark-id", "0", {}, false},
    {"stream-node-max-bytes", "4096", {}, false},
    {"stream-node-max-entries", "100", {}, false},
    {"syslog-enabled", "no", {}, false},
    {"syslog-facility", "local0", {}, false},
    {"syslog-ident", "redis", {}, false},
    {"tls-auth-clients", "yes", {}, false},
    {"tls-ca-cert-dir", "", {}, false},
    {"tls-ca-cert-file", "", {}, false},
    {"tls-cert-file", "", {}, false},
    {"tls-ciphers", "", {}, false},
    {"tls-ciphersuites", "", {}, false},
    {"tls-client-cert-file", "", {}, false},
    {"tls-client-key-file", "", {}, false},
    {"tls-client-key-file-pass", "", {}, false},
    {"tls-cluster", "no", {}, false},
    {"tls-dh-params-file", "", {}, false},
    {"tls-key-file", "", {}, false},
    {"tls-key-file-pass", "", {}, false},
    {"tls-port", "0", {}, false},
    {"tls-prefer-server-ciphers", "no", {}, false},
    {"tls-protocols", "", {}, false},
    {"tls-replication", "no", {}, false},
    {"tls-session-cache-size", "20480", {}, false},
    {"tls-session-cache-timeout", "300", {}, false},
    {"tls-session-caching", "yes", {}, false},
    {"tracking-table-max-keys", "1000000", {}, false},
    {"unixsocket", "", {}, false},
    {"unixsocketperm", "0", {}, false},
    {"zset-max-listpack-entries", "128", {"zset-max-ziplist-entries"}, false},
    {"zset-max-listpack-value", "64", {"zset-max-ziplist-value"}, false},
  };
  return kParams;
}

}  // namespace

void register_node_config(config::ConfigRegistry& reg, NodeConfig& cfg) {
  using config::kImmutable;
  using config::kMultiArg;
  using config::kProtected;
  using config::kSensitive;

  // Network. CONFIG SET port/bind re-listens (NodeServer attaches the apply hook).
  reg.add_int("port", &cfg.port, 0, 65535, 6379);
  {
    Param p;
    p.name = "bind";
    p.flags = kMultiArg;
    p.set = [&cfg](const std::vector<std::string>& args, std::string* err) {
      if (args.empty()) {
        *err = "wrong number of arguments";
        return 0;
      }
      cfg.bind = args;
      return 1;
    };
    p.get = [&cfg] { return join(cfg.bind); };
    reg.add(std::move(p));
  }
  reg.add_bool("protected-mode", &cfg.protected_mode, true);
  reg.add_int("tcp-backlog", &cfg.tcp_backlog, 0, INT_MAX, 511, kImmutable);
  reg.add_int("maxclients", &cfg.maxclients, 1, UINT_MAX, 10000u);
  reg.add_int("timeout", &cfg.timeout, 0, INT_MAX, 0u);
  reg.add_int("tcp-keepalive", &cfg.tcp_keepalive, 0, INT_MAX, 300u);
  reg.add_memory("proto-max-bulk-len", &cfg.proto_max_bulk_len, 1024 * 1024, LLONG_MAX,
                 static_cast<int64_t>(512LL * 1024 * 1024));
  reg.add_memory("client-query-buffer-limit", &cfg.client_query_buffer_limit, 1024 * 1024, LLONG_MAX,
                 static_cast<uint64_t>(1024ULL * 1024 * 1024));
  reg.add(output_buffer_limit_param(cfg));

  reg.add_string("requirepass", &cfg.requirepass, "", kSensitive);

  reg.add_int("databases", &cfg.databases, 1, INT_MAX, 16, kImmutable);
  reg.add_int("hz", &cfg.hz, 0, INT_MAX, 10);
  reg.add_memory("hll-sparse-max-bytes", &cfg.hll_sparse_max_bytes, 0, LONG_MAX, static_cast<uint64_t>(3000));

  reg.add_int("slowlog-log-slower-than", &cfg.slowlog_log_slower_than, -1, LLONG_MAX, int64_t{10000});
  reg.add_int("slowlog-max-len", &cfg.slowlog_max_len, 0, LONG_MAX, uint64_t{128});
  reg.add_int("latency-monitor-threshold", &cfg.latency_monitor_threshold, 0, LLONG_MAX, int64_t{0});
  reg.add_bool("latency-tracking", &cfg.latency_tracking, true);

  reg.add_bool("daemonize", &cfg.daemonize, false, kImmutable);
  reg.add_enum("supervised", &cfg.supervised,
               std::vector<std::pair<std::string, std::string>>{
                   {"upstart", "upstart"}, {"systemd", "systemd"}, {"auto", "auto"}, {"no", "no"}},
               std::string("no"), kImmutable);
  reg.add_string("pidfile", &cfg.pidfile, "", kImmutable);
  reg.add_string("logfile", &cfg.logfile, "", kImmutable);
  reg.add_enum("loglevel", &cfg.loglevel,
               std::vector<std::pair<std::string, log::Level>>{{"debug", log::Level::kDebug},
                                                               {"verbose", log::Level::kVerbose},
                                                               {"notice", log::Level::kNotice},
                                                               {"warning", log::Level::kWarning}},
               log::Level::kNotice)
      .apply = [&cfg](std::string*) {
    log::set_level(cfg.loglevel);
    return true;
  };
  {
    // dir: chdir at once (files are opened relative to it), as Redis.
    Param p;
    p.name = "dir";
    p.flags = kProtected;
    p.set = [](const std::vector<std::string>& args, std::string* err) {
      if (args.size() != 1 || chdir(args[0].c_str()) != 0) {
        *err = std::string(strerror(errno));
        return 0;
      }
      return 1;
    };
    p.get = [] {
      char buf[4096];
      return getcwd(buf, sizeof buf) ? std::string(buf) : std::string();
    };
    reg.add(std::move(p));
  }

  // Persistence (node/persistence acts on these).
  persistence::PersistenceConfig& pc = cfg.persistence;
  reg.add(save_param(cfg));
  reg.add_string("dbfilename", &pc.dbfilename, "dump.rdb", kProtected, plain_file_name);
  reg.add_bool("rdbcompression", &pc.rdbcompression, true);
  reg.add_bool("rdbchecksum", &pc.rdbchecksum, true);
  reg.add_bool("stop-writes-on-bgsave-error", &pc.stop_writes_on_bgsave_error, true);
  reg.add_bool("appendonly", &pc.appendonly, false);
  reg.add_string("appendfilename", &pc.appendfilename, "appendonly.aof", kImmutable, plain_file_name);
  reg.add_string("appenddirname", &pc.appenddirname, "appendonlydir", kImmutable, plain_file_name);
  reg.add_enum("appendfsync", &pc.appendfsync,
               std::vector<std::pair<std::string, persistence::AppendFsync>>{
                   {"always", persistence::AppendFsync::kAlways},
                   {"everysec", persistence::AppendFsync::kEverysec},
                   {"no", persistence::AppendFsync::kNo}},
               persistence::AppendFsync::kEverysec);
  reg.add_bool("aof-load-truncated", &pc.aof_load_truncated, true);
  reg.add_bool("aof-use-rdb-preamble", &pc.aof_use_rdb_preamble, true);
}

namespace {

// How an accepted-only value is validated, as Redis types it.
enum class Kind { kString, kBool, kInt, kMemory, kEnum };

const std::map<std::string, std::vector<std::string>, std::less<>>& enum_choices() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kChoices = {
      {"maxmemory-policy", {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                            "allkeys-lfu", "allkeys-random", "noeviction"}},
      {"acl-pubsub-default", {"allchannels", "resetchannels"}},
      {"repl-diskless-load", {"disabled", "on-empty-db", "swapdb"}},
      {"cluster-preferred-endpoint-type", {"ip", "hostname", "unknown-endpoint"}},
      {"propagation-error-behavior", {"ignore", "panic", "panic-on-replicas"}},
      {"sanitize-dump-payload", {"no", "yes", "clients"}},
      {"enable-debug-command", {"no", "yes", "local"}},
      {"enable-module-command", {"no", "yes", "local"}},
      {"enable-protected-configs", {"no", "yes", "local"}},
      {"oom-score-adj", {"no", "yes", "relative", "absolute"}},
      {"syslog-facility", {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}},
  };
  return kChoices;
}

Kind kind_of(const AcceptedOnly& a) {
  static const std::set<std::string, std::less<>> kMemory = {
      "maxmemory", "maxmemory-clients", "active-defrag-ignore-bytes", "auto-aof-rewrite-min-size",
      "stream-node-max-bytes", "cluster-link-sendbuf-limit"};
  if (kMemory.count(a.name)) return Kind::kMemory;
  if (enum_choices().count(a.name)) return Kind::kEnum;
  std::string_view v = a.value;
  if (v == "yes" || v == "no") return Kind::kBool;
  long long n;
  if (!a.multi_arg && util::string2ll(v, &n)) return Kind::kInt;
  return Kind::kString;
}

// Parameters Redis refuses to change at runtime.
bool immutable(std::string_view name) {
  static const std::set<std::string, std::less<>> kImmutableNames = {
      "aclfile", "always-show-logo", "cluster-config-file", "cluster-enabled", "cluster-port", "disable-thp",
      "enable-debug-command", "enable-module-command", "enable-protected-configs", "io-threads",
      "io-threads-do-reads", "set-proc-title", "syslog-enabled", "syslog-facility", "syslog-ident",
      "unixsocket", "unixsocketperm"};
  return kImmutableNames.count(name) > 0;
}

}  // namespace

void register_accepted_only_config(config::ConfigRegistry& reg, NodeConfig& cfg) {
  for (const auto& a : accepted_only_params()) {
    if (reg.find(a.name) != nullptr) continue;
    std::string& slot = cfg.accepted_only[a.name];
    slot = a.value;
    Kind kind = kind_of(a);
    Param p;
    p.name = a.name;
    p.aliases = a.aliases;
    p.flags = (a.multi_arg ? static_cast<unsigned>(config::kMultiArg) : 0u) |
              (immutable(a.name) ? static_cast<unsigned>(config::kImmutable) : 0u);
    std::string name = a.name;
    p.set = [&slot, kind, name](const std::vector<std::string>& args, std::string* err) {
      std::string v = join(args);
      switch (kind) {
        case Kind::kBool: {
          std::string l = v;
          for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (l != "yes" && l != "no") {
            *err = "argument must be 'yes' or 'no'";
            return 0;
          }
          v = l;
          break;
        }
        case Kind::kInt: {
          long long n;
          if (!util::string2ll(v, &n)) {
            *err = "argument couldn't be parsed into an integer";
            return 0;
          }
          break;
        }
        case Kind::kMemory: {
          auto n = util::memtoull(v);
          if (!n) {
            *err = "argument must be a memory value";
            return 0;
          }
          v = std::to_string(*n);  // CONFIG GET prints bytes
          break;
        }
        case Kind::kEnum: {
          const auto& choices = enum_choices().find(name)->second;
          std::string l = v;
          for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (std::find(choices.begin(), choices.end(), l) == choices.end()) {
            std::string msg = "argument(s) must be one of the following: ";
            for (size_t i = 0; i < choices.size(); i++) msg += (i ? ", " : "") + choices[i];
            *err = msg;
            return 0;
          }
          v = l;
          break;
        }
        case Kind::kString:
          break;
      }
      if (v == slot) return 2;
      slot = std::move(v);
      return 1;
    };
    p.get = [&slot] { return slot; };
    reg.add(std::move(p));
  }
  // Deprecated directives Redis 7.0 still accepts in files and ignores.
  for (const char* name : {"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}) {
    reg.ignore_directive(name, 1, 1);
  }
}

}  // namespace vigil::node
