#include "sentinel/server/daemon_config.h"

#include <arpa/inet.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/util/split_args.h"

namespace vigil::sentinel::server {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool parse_ll(const std::string& s, long long& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && end != nullptr && *end == '\0';
}

bool parse_u64(const std::string& s, uint64_t& out) {
  if (s.empty() || s[0] == '-') return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtoull(s.c_str(), &end, 10);
  return errno == 0 && end != nullptr && *end == '\0';
}

// Redis's yesnotoi: "yes"/"no" only (case-insensitive).
int yes_no(const std::string& s) {
  const std::string l = lower(s);
  if (l == "yes") return 1;
  if (l == "no") return 0;
  return -1;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool is_executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

MasterConfig* find_master(DaemonConfig& cfg, const std::string& name) {
  for (auto& m : cfg.core.masters)
    if (m.name == name) return &m;
  return nullptr;
}

PersistedState& state_of(DaemonConfig& cfg) {
  if (!cfg.state) cfg.state.emplace();
  return *cfg.state;
}

PersistedMaster& state_master(DaemonConfig& cfg, const std::string& name) {
  auto& st = state_of(cfg);
  for (auto& m : st.masters)
    if (m.settings.name == name) return m;
  st.masters.emplace_back();
  st.masters.back().settings.name = name;
  return st.masters.back();
}

// Redis applies sentinel directives in three passes so that their order in the
// file does not matter: globals and identity first, then `monitor`, then the rest.
int sentinel_pass(const std::string& sub) {
  static const std::set<std::string> first = {
      "announce-ip",    "announce-port", "deny-scripts-reconfig", "sentinel-user",
      "sentinel-pass",  "current-epoch", "myid",                  "resolve-hostnames",
      "announce-hostnames"};
  if (first.count(sub)) return 1;
  if (sub == "monitor") return 2;
  return 3;
}

// Directives of redis.conf that a Redis sentinel accepts (or writes itself via
// CONFIG REWRITE) but that mean nothing to vigil-sentinel: accepted and ignored
// so an existing file loads unchanged.
bool is_ignored_redis_directive(const std::string& name) {
  static const std::set<std::string> ignored = {
      "acllog-max-len", "latency-tracking-info-percentiles", "user", "aclfile", "hz",
      "tcp-backlog", "timeout", "tcp-keepalive", "maxclients", "unixsocket", "unixsocketperm",
      "always-show-logo", "set-proc-title", "proc-title-template", "syslog-enabled",
      "syslog-ident", "syslog-facility", "crash-log-enabled", "crash-memcheck-enabled",
      "oom-score-adj", "oom-score-adj-values", "io-threads", "enable-debug-command",
      "enable-module-command", "enable-protected-configs", "rename-command", "masterauth",
      "masteruser", "tls-port", "tls-replication", "bind-source-addr", "databases",
      "save", "appendonly", "loglevel-file", "include", "disable-thp", "jemalloc-bg-thread",
      "lazyfree-lazy-user-flush", "dynamic-hz", "activerehashing", "locale-collate"};
  return ignored.count(name) > 0;
}

std::string apply_sentinel_directive(const std::vector<std::string>& a, DaemonConfig& cfg) {
  // a[0] == "sentinel"; a[1] = subcommand.
  if (a.size() < 2) return "Unrecognized sentinel configuration statement.";
  const std::string sub = lower(a[1]);
  const size_t argc = a.size() - 1;   // Redis counts without the "sentinel" word
  auto& globals = cfg.core.globals;

  if (sub == "monitor" && argc == 5) {
    long long quorum = 0, port = 0;
    if (!parse_ll(a[5], quorum) || quorum <= 0) return "Quorum must be 1 or greater.";
    if (find_master(cfg, a[2]) != nullptr) return "Duplicate master name.";
    if (!parse_ll(a[4], port) || port <= 0 || port > 65535) return "Invalid port number";
    if (!globals.resolve_hostnames && !is_ip_literal(a[3]))
      return "Can't resolve instance hostname.";
    MasterConfig m;
    m.name = a[2];
    m.addr = Address{a[3], static_cast<int>(port)};
    m.quorum = static_cast<int>(quorum);
    m.down_after_ms = cfg.core.tunables.default_down_after;
    m.failover_timeout_ms = cfg.core.tunables.default_failover_timeout;
    cfg.core.masters.push_back(std::move(m));
    return "";
  }
  if ((sub == "down-after-milliseconds" || sub == "failover-timeout") && argc == 3) {
    MasterConfig* m = find_master(cfg, a[2]);
    if (m == nullptr) return "No such master with specified name.";
    long long ms = 0;
    if (!parse_ll(a[3], ms) || ms <= 0) return "negative or zero time parameter.";
    (sub == "down-after-milliseconds" ? m->down_after_ms : m->failover_timeout_ms) = ms;
    return "";
  }
  if (sub == "parallel-syncs" && argc == 3) {
    MasterConfig* m = find_master(cfg, a[2]);
    if (m == nullptr) return "No such master with specified name.";
    m->parallel_syncs = std::atoi(a[3].c_str());
    return "";
  }
  if ((sub == "notification-script" || sub == "client-reconfig-script") && argc == 3) {
    MasterConfig* m = find_master(cfg, a[2]);
    if (m == nullptr) return "No such master with specified name.";
    if (!is_executable(a[3]))
      return sub == "notification-script"
                 ? "Notification script seems non existing or non executable."
                 : "Client reconfiguration script seems non existing or non executable.";
    (sub == "notification-script" ? m->notification_script : m->client_reconfig_script) = a[3];
    return "";
  }
  if ((sub == "auth-pass" || sub == "auth-user") && argc == 3) {
    MasterConfig* m = find_master(cfg, a[2]);
    if (m == nullptr) return "No such master with specified name.";
    (sub == "auth-pass" ? m->auth_pass : m->auth_user) = a[3];
    return "";
  }
  if (sub == "master-reboot-down-after-period" && argc == 3) {
    MasterConfig* m = find_master(cfg, a[2]);
    if (m == nullptr) return "No such master with specified name.";
    long long ms = 0;
    if (!parse_ll(a[3], ms) || ms < 0) return "negative time parameter.";
    m->master_reboot_down_after_period_ms = ms;
    return "";
  }
  if (sub == "rename-command" && argc == 4) {
    MasterConfig* m = find_master(cfg, a[2]);
    if (m == nullptr) return "No such master with specified name.";
    const std::string from = lower(a[3]);
    if (m->renamed_commands.count(from)) return "Same command renamed multiple times with rename-command.";
    m->renamed_commands[from] = a[4];
    return "";
  }
  if (sub == "current-epoch" && argc == 2) {
    uint64_t e = 0;
    if (!parse_u64(a[2], e)) return "Invalid current-epoch value.";
    auto& st = state_of(cfg);
    st.current_epoch = std::max(st.current_epoch, e);
    return "";
  }
  if (sub == "myid" && argc == 2) {
    if (a[2].size() != 40) return "Malformed Sentinel id in myid option.";
    state_of(cfg).myid = a[2];
    cfg.core.myid = a[2];
    return "";
  }
  if (sub == "config-epoch" && argc == 3) {
    if (find_master(cfg, a[2]) == nullptr) return "No such master with specified name.";
    uint64_t e = 0;
    if (!parse_u64(a[3], e)) return "Invalid config-epoch value.";
    state_master(cfg, a[2]).config_epoch = e;
    auto& st = state_of(cfg);
    st.current_epoch = std::max(st.current_epoch, e);   // Redis: also raises current-epoch
    return "";
  }
  if (sub == "leader-epoch" && argc == 3) {
    if (find_master(cfg, a[2]) == nullptr) return "No such master with specified name.";
    uint64_t e = 0;
    if (!parse_u64(a[3], e)) return "Invalid leader-epoch value.";
    state_master(cfg, a[2]).leader_epoch = e;
    return "";
  }
  if ((sub == "known-slave" || sub == "known-replica") && argc == 4) {
    if (find_master(cfg, a[2]) == nullptr) return "No such master with specified name.";
    long long port = 0;
    if (!parse_ll(a[4], port) || port <= 0 || port > 65535) return "Invalid port number";
    state_master(cfg, a[2]).known_replicas.push_back(Address{a[3], static_cast<int>(port)});
    return "";
  }
  if (sub == "known-sentinel" && (argc == 4 || argc == 5)) {
    if (find_master(cfg, a[2]) == nullptr) return "No such master with specified name.";
    if (argc == 4) return "";   // legacy line without runid: ignored, as Redis does
    long long port = 0;
    if (!parse_ll(a[4], port) || port < 0 || port > 65535) return "Invalid port number";
    if (port == 0) return "";   // legacy "invalid address" marker
    state_master(cfg, a[2]).known_sentinels.push_back(
        PersistedSentinel{a[5], Address{a[3], static_cast<int>(port)}});
    return "";
  }
  if (sub == "announce-ip" && argc == 2) {
    globals.announce_ip = a[2];
    return "";
  }
  if (sub == "announce-port" && argc == 2) {
    long long p = 0;
    if (!parse_ll(a[2], p) || p < 0 || p > 65535) return "Invalid port number";
    globals.announce_port = static_cast<int>(p);
    return "";
  }
  if ((sub == "deny-scripts-reconfig" || sub == "resolve-hostnames" ||
       sub == "announce-hostnames") && argc == 2) {
    const int v = yes_no(a[2]);
    if (v < 0) return "Please specify yes or no for the " + sub + " option.";
    bool& target = sub == "deny-scripts-reconfig" ? globals.deny_scripts_reconfig
                   : sub == "resolve-hostnames"   ? globals.resolve_hostnames
                                                  : globals.announce_hostnames;
    target = v == 1;
    return "";
  }
  if ((sub == "sentinel-user" || sub == "sentinel-pass") && argc == 2) {
    (sub == "sentinel-user" ? globals.sentinel_user : globals.sentinel_pass) = a[2];
    return "";
  }
  return "Unrecognized sentinel configuration statement.";
}

std::string set_bool(const std::string& v, bool& out) {
  const int b = yes_no(v);
  if (b < 0) return "argument must be 'yes' or 'no'";
  out = b == 1;
  return "";
}

std::string set_ms(const std::string& v, TimeMs& out, bool allow_zero) {
  long long n = 0;
  if (!parse_ll(v, n) || n < 0 || (!allow_zero && n == 0)) return "argument must be a positive integer";
  out = n;
  return "";
}

// After all lines are applied: the state snapshot carries each master's final
// settings, and only masters that exist.
void finalize_state(DaemonConfig& cfg) {
  if (!cfg.state) return;
  auto& st = *cfg.state;
  std::vector<PersistedMaster> kept;
  for (auto& pm : st.masters) {
    if (MasterConfig* m = find_master(cfg, pm.settings.name)) {
      pm.settings = *m;
      kept.push_back(std::move(pm));
    }
  }
  st.masters = std::move(kept);
  st.globals = cfg.core.globals;
  if (st.myid.empty()) st.myid = cfg.core.myid;
}

std::string read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "Fatal error, can't open config file '" + path + "': " + std::strerror(errno);
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return "";
}

}  // namespace

std::string apply_directive(const std::vector<std::string>& a, DaemonConfig& cfg) {
  if (a.empty()) return "";
  const std::string name = lower(a[0]);
  if (name == "sentinel") return apply_sentinel_directive(a, cfg);
  auto need = [&](size_t n) { return a.size() == n; };
  if (name == "port" && need(2)) {
    long long p = 0;
    if (!parse_ll(a[1], p) || p < 0 || p > 65535) return "Invalid port";
    cfg.core.port = static_cast<int>(p);
    return "";
  }
  if (name == "bind" && a.size() >= 2) {
    cfg.bind.assign(a.begin() + 1, a.end());
    return "";
  }
  if (name == "dir" && need(2)) {
    cfg.dir = a[1];
    return "";
  }
  if (name == "logfile" && need(2)) {
    cfg.logfile = a[1];
    return "";
  }
  if (name == "loglevel" && need(2)) {
    const std::string l = lower(a[1]);
    if (l != "debug" && l != "verbose" && l != "notice" && l != "warning" && l != "nothing")
      return "Invalid log level. Must be one of debug, verbose, notice, warning, nothing";
    cfg.loglevel = l;
    return "";
  }
  if (name == "pidfile" && need(2)) {
    cfg.pidfile = a[1];
    return "";
  }
  if (name == "daemonize" && need(2)) return set_bool(a[1], cfg.daemonize);
  if (name == "protected-mode" && need(2)) return set_bool(a[1], cfg.protected_mode);
  if (name == "supervised" && need(2)) {
    const std::string s = lower(a[1]);
    if (s != "no" && s != "systemd" && s != "auto" && s != "upstart")
      return "Invalid option for 'supervised'. Allowed values: 'upstart', 'systemd', 'auto', or 'no'";
    cfg.supervised = s;
    return "";
  }
  if (name == "requirepass" && need(2)) {
    cfg.requirepass = a[1];
    cfg.core.globals.requirepass = a[1];   // outbound AUTH to peers without sentinel-pass
    return "";
  }
  // vigil's own options (YAML `vigil:` section; usable in a sentinel.conf too).
  auto& v = cfg.core.vigil;
  if (name == "vigil-redis-compatible-timing" && need(2)) return set_bool(a[1], v.redis_compatible_timing);
  if (name == "vigil-fast-promotion-poll-ms" && need(2)) return set_ms(a[1], v.fast_promotion_poll_ms, true);
  if (name == "vigil-push-config" && need(2)) return set_bool(a[1], v.push_config);
  if (name == "vigil-fast-detection" && need(2)) return set_bool(a[1], v.fast_detection);
  if (name == "vigil-prompt-steps" && need(2)) return set_bool(a[1], v.prompt_steps);
  if (name == "vigil-elected-manual-failover" && need(2)) return set_bool(a[1], v.elected_manual_failover);
  if (name == "vigil-strict-replica-liveness" && need(2)) return set_bool(a[1], v.strict_replica_liveness);
  if (name == "vigil-lossless-manual-failover" && need(2)) return set_bool(a[1], v.lossless_manual_failover);
  if (name == "vigil-lossless-pause-ms" && need(2)) return set_ms(a[1], v.lossless_pause_ms, false);
  if (name == "vigil-lossless-catchup-timeout-ms" && need(2)) return set_ms(a[1], v.lossless_catchup_timeout_ms, false);
  if (name == "vigil-state-file" && need(2)) {
    cfg.state_file_name = a[1];
    return "";
  }
  if (is_ignored_redis_directive(name)) return "";
  return "Bad directive or wrong number of arguments";
}

std::string load_sentinel_conf(const std::string& text, DaemonConfig& cfg) {
  struct Line {
    int number;
    std::string raw;
    std::vector<std::string> argv;
  };
  std::vector<Line> sentinel_lines;
  std::istringstream in(text);
  std::string raw;
  int number = 0;
  auto fatal = [](int n, const std::string& line, const std::string& err) {
    return "\n*** FATAL CONFIG FILE ERROR (vigil-sentinel) ***\nReading the configuration file, at line " +
           std::to_string(n) + "\n>>> '" + line + "'\n" + err;
  };
  while (std::getline(in, raw)) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const size_t start = raw.find_first_not_of(" \t");
    if (start == std::string::npos || raw[start] == '#') continue;
    auto argv = util::split_args(raw);
    if (!argv) return fatal(number, raw, "Unbalanced quotes in configuration line");
    if (argv->empty()) continue;
    if (lower((*argv)[0]) == "sentinel") {
      sentinel_lines.push_back(Line{number, raw, std::move(*argv)});
      continue;
    }
    if (std::string err = apply_directive(*argv, cfg); !err.empty()) return fatal(number, raw, err);
  }
  for (int pass = 1; pass <= 3; ++pass) {
    for (const auto& l : sentinel_lines) {
      if (l.argv.size() < 2 || sentinel_pass(lower(l.argv[1])) != pass) {
        if (l.argv.size() < 2 && pass == 3) return fatal(l.number, l.raw, "Unrecognized sentinel configuration statement.");
        continue;
      }
      if (std::string err = apply_directive(l.argv, cfg); !err.empty())
        return fatal(l.number, l.raw, err);
    }
  }
  finalize_state(cfg);
  return "";
}

std::string load_yaml(const std::string& text, DaemonConfig& cfg) {
  // Every YAML key maps onto the directive of the same name, so both formats
  // share one validation path.
  std::vector<std::vector<std::string>> lines;
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) return "";
    if (!root.IsMap()) return "YAML configuration must be a mapping";
    auto scalar = [](const YAML::Node& n) { return n.as<std::string>(); };
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.as<std::string>();
      const YAML::Node val = it->second;   // a copy: it->second is a temporary
      if (key == "masters") {
        if (!val.IsSequence()) return "'masters' must be a list";
        for (const auto& m : val) {
          if (!m.IsMap() || !m["name"] || !m["host"] || !m["port"])
            return "each master needs name, host and port";
          const std::string name = scalar(m["name"]);
          lines.push_back({"sentinel", "monitor", name, scalar(m["host"]), scalar(m["port"]),
                           m["quorum"] ? scalar(m["quorum"]) : "2"});
          for (auto f = m.begin(); f != m.end(); ++f) {
            const std::string fk = f->first.as<std::string>();
            if (fk == "name" || fk == "host" || fk == "port" || fk == "quorum") continue;
            if (fk == "rename-commands") {
              if (!f->second.IsMap()) return "'rename-commands' must be a mapping";
              for (auto r = f->second.begin(); r != f->second.end(); ++r)
                lines.push_back({"sentinel", "rename-command", name, r->first.as<std::string>(),
                                 scalar(r->second)});
              continue;
            }
            if (!f->second.IsScalar()) return "master option '" + fk + "' must be a scalar";
            lines.push_back({"sentinel", fk, name, scalar(f->second)});
          }
        }
      } else if (key == "vigil") {
        if (!val.IsMap()) return "'vigil' must be a mapping";
        for (auto f = val.begin(); f != val.end(); ++f) {
          std::string v = scalar(f->second);
          if (v == "true") v = "yes";
          if (v == "false") v = "no";
          lines.push_back({"vigil-" + f->first.as<std::string>(), v});
        }
      } else if (key == "bind") {
        std::vector<std::string> l{"bind"};
        if (val.IsSequence()) {
          for (const auto& b : val) l.push_back(scalar(b));
        } else {
          l.push_back(scalar(val));
        }
        lines.push_back(std::move(l));
      } else if (key == "state-file") {
        lines.push_back({"vigil-state-file", scalar(val)});
      } else {
        if (!val.IsScalar()) return "option '" + key + "' must be a scalar";
        std::string v = scalar(val);
        if (v == "true") v = "yes";
        if (v == "false") v = "no";
        static const std::set<std::string> sentinel_globals = {
            "announce-ip", "announce-port", "sentinel-user", "sentinel-pass",
            "resolve-hostnames", "announce-hostnames", "deny-scripts-reconfig"};
        if (sentinel_globals.count(key)) {
          lines.push_back({"sentinel", key, v});
        } else {
          lines.push_back({key, v});
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return std::string("YAML error: ") + e.what();
  }
  // Same three passes as sentinel.conf.
  for (int pass = 0; pass <= 3; ++pass) {
    for (const auto& l : lines) {
      const bool is_sentinel = l[0] == "sentinel";
      const int p = is_sentinel ? sentinel_pass(l[1]) : 0;
      if (p != pass) continue;
      if (std::string err = apply_directive(l, cfg); !err.empty()) {
        std::string joined;
        for (const auto& s : l) joined += (joined.empty() ? "" : " ") + s;
        return "Invalid YAML configuration (" + joined + "): " + err;
      }
    }
  }
  return "";
}

std::string state_file_path(const DaemonConfig& cfg) {
  std::filesystem::path p(cfg.state_file_name);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(cfg.dir) / p).string();
}

std::string load_config(const std::vector<std::string>& args, DaemonConfig& cfg) {
  size_t i = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(args[0], ec);
    cfg.config_path = ec ? args[0] : abs.string();
    const std::string ext = lower(std::filesystem::path(args[0]).extension().string());
    cfg.format = (ext == ".yaml" || ext == ".yml") ? DaemonConfig::Format::kYaml
                                                   : DaemonConfig::Format::kSentinelConf;
    i = 1;
  }
  // Redis turns "--name v1 v2 --other v" into config lines appended to the file.
  std::string extra;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--test-config") {
      cfg.test_config = true;
      continue;
    }
    // "--sentinel" alone is Redis's mode flag (we are always a sentinel);
    // followed by words it starts a "sentinel ..." directive.
    if (a == "--sentinel" && (i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0)) continue;
    if (a.rfind("--", 0) == 0) {
      if (!extra.empty()) extra += "\n";
      extra += a.substr(2);
    } else {
      // Quote values so spaces survive the re-split, as Redis does.
      extra += " \"";
      for (char c : a) {
        if (c == '"' || c == '\\') extra += '\\';
        extra += c;
      }
      extra += "\"";
    }
  }
  std::string text;
  if (!cfg.config_path.empty()) {
    if (std::string err = read_file(cfg.config_path, text); !err.empty()) return err;
  }
  if (cfg.format == DaemonConfig::Format::kYaml) {
    if (std::string err = load_yaml(text, cfg); !err.empty()) return err;
    text.clear();
  }
  if (!extra.empty()) text += "\n" + extra + "\n";
  if (std::string err = load_sentinel_conf(text, cfg); !err.empty()) return err;
  return "";
}

}  // namespace vigil::sentinel::server
