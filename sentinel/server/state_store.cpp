#include "sentinel/server/state_store.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config/directives.h"
#include "common/config/rewrite.h"
#include "common/util/atomic_file.h"
#include "common/util/split_args.h"

namespace vigil::sentinel::server {

namespace {

// A value bare when split_args reads it back unchanged, else sdscatrepr-quoted
// (what Redis writes for names and passwords).
std::string repr(const std::string& s) {
  bool plain = !s.empty();
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c >= 127) plain = false;
  }
  return plain ? s : config::repr(s);
}

// Always quoted, as Redis writes dir, logfile, announce-ip, ...
std::string quoted(const std::string& s) { return config::repr(s); }

std::string addr_words(const Address& a) { return repr(a.host) + " " + std::to_string(a.port); }

// Collects the lines of a fresh state file (every line is new: appended).
class LineCollector {
 public:
  bool rewrite_line(std::string_view, std::string line, bool force) {
    if (!force) return false;
    out_ += line;
    out_ += '\n';
    return true;
  }
  void mark_processed(std::string_view) {}
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// rewriteConfigSentinelOption (Redis 7.0 sentinel.c), line for line: the same
// options, the same order, the same force flags and processed marks, so the
// CONFIG REWRITE engine puts every line where Redis would.
template <typename Out>
void emit_sentinel_options(const PersistedState& st, const Tunables& defaults, Out& rw) {
  const GlobalSettings& g = st.globals;
  rw.rewrite_line("sentinel myid", "sentinel myid " + st.myid, true);
  // Written when not at the default, or in place of an old line of the option.
  rw.rewrite_line("sentinel deny-scripts-reconfig",
                  std::string("sentinel deny-scripts-reconfig ") + (g.deny_scripts_reconfig ? "yes" : "no"),
                  !g.deny_scripts_reconfig);
  rw.rewrite_line("sentinel resolve-hostnames",
                  std::string("sentinel resolve-hostnames ") + (g.resolve_hostnames ? "yes" : "no"),
                  g.resolve_hostnames);
  rw.rewrite_line("sentinel announce-hostnames",
                  std::string("sentinel announce-hostnames ") + (g.announce_hostnames ? "yes" : "no"),
                  g.announce_hostnames);
  for (const auto& pm : st.masters) {
    const MasterConfig& m = pm.settings;
    const std::string n = repr(m.name);
    rw.rewrite_line("sentinel monitor",
                    "sentinel monitor " + n + " " + addr_words(m.addr) + " " + std::to_string(m.quorum), true);
    if (m.down_after_ms != defaults.default_down_after)
      rw.rewrite_line("sentinel down-after-milliseconds",
                      "sentinel down-after-milliseconds " + n + " " + std::to_string(m.down_after_ms), true);
    if (m.failover_timeout_ms != defaults.default_failover_timeout)
      rw.rewrite_line("sentinel failover-timeout",
                      "sentinel failover-timeout " + n + " " + std::to_string(m.failover_timeout_ms), true);
    if (m.parallel_syncs != 1)
      rw.rewrite_line("sentinel parallel-syncs",
                      "sentinel parallel-syncs " + n + " " + std::to_string(m.parallel_syncs), true);
    if (!m.notification_script.empty())
      rw.rewrite_line("sentinel notification-script",
                      "sentinel notification-script " + n + " " + repr(m.notification_script), true);
    if (!m.client_reconfig_script.empty())
      rw.rewrite_line("sentinel client-reconfig-script",
                      "sentinel client-reconfig-script " + n + " " + repr(m.client_reconfig_script), true);
    if (!m.auth_pass.empty())
      rw.rewrite_line("sentinel auth-pass", "sentinel auth-pass " + n + " " + repr(m.auth_pass), true);
    if (!m.auth_user.empty())
      rw.rewrite_line("sentinel auth-user", "sentinel auth-user " + n + " " + repr(m.auth_user), true);
    if (m.master_reboot_down_after_period_ms != 0)
      rw.rewrite_line("sentinel master-reboot-down-after-period",
                      "sentinel master-reboot-down-after-period " + n + " " +
                          std::to_string(m.master_reboot_down_after_period_ms),
                      true);
    rw.rewrite_line("sentinel config-epoch", "sentinel config-epoch " + n + " " + std::to_string(pm.config_epoch),
                    true);
    rw.rewrite_line("sentinel leader-epoch", "sentinel leader-epoch " + n + " " + std::to_string(pm.leader_epoch),
                    true);
    for (const auto& r : pm.known_replicas) {
      std::string line = "sentinel known-replica " + n + " " + addr_words(r);
      // Old "known-slave" lines are reused first, as Redis does.
      if (!rw.rewrite_line("sentinel known-slave", line, false))
        rw.rewrite_line("sentinel known-replica", line, true);
    }
    for (const auto& s : pm.known_sentinels)
      rw.rewrite_line("sentinel known-sentinel",
                      "sentinel known-sentinel " + n + " " + addr_words(s.addr) + " " + s.runid, true);
    for (const auto& [from, to] : m.renamed_commands)
      rw.rewrite_line("sentinel rename-command", "sentinel rename-command " + n + " " + repr(from) + " " + repr(to),
                      true);
  }
  rw.rewrite_line("sentinel current-epoch", "sentinel current-epoch " + std::to_string(st.current_epoch), true);
  if (!g.announce_ip.empty()) {
    rw.rewrite_line("sentinel announce-ip", "sentinel announce-ip " + quoted(g.announce_ip), true);
  } else {
    rw.mark_processed("sentinel announce-ip");
  }
  if (g.announce_port != 0) {
    rw.rewrite_line("sentinel announce-port", "sentinel announce-port " + std::to_string(g.announce_port), true);
  } else {
    rw.mark_processed("sentinel announce-port");
  }
  if (!g.sentinel_user.empty()) {
    rw.rewrite_line("sentinel sentinel-user", "sentinel sentinel-user " + repr(g.sentinel_user), true);
  } else {
    rw.mark_processed("sentinel sentinel-user");
  }
  if (!g.sentinel_pass.empty()) {
    rw.rewrite_line("sentinel sentinel-pass", "sentinel sentinel-pass " + repr(g.sentinel_pass), true);
  } else {
    rw.mark_processed("sentinel sentinel-pass");
  }
  // Old lines of per-master options the state no longer has (a removed master,
  // a setting back at its default) are dropped.
  for (const char* o : {"sentinel monitor", "sentinel down-after-milliseconds", "sentinel failover-timeout",
                        "sentinel parallel-syncs", "sentinel notification-script",
                        "sentinel client-reconfig-script", "sentinel auth-pass", "sentinel auth-user",
                        "sentinel config-epoch", "sentinel leader-epoch", "sentinel known-replica",
                        "sentinel known-sentinel", "sentinel rename-command",
                        "sentinel master-reboot-down-after-period"})
    rw.mark_processed(o);
}

// The server options Redis's rewriteConfig handles before the sentinel ones
// (standard configs: written when not at their default, or in place when the
// file has them). Redis walks its config dict in hash order, so the order of
// the appended ones varies between Redis runs; ours is fixed.
void emit_server_options(const ServerSettings& s, config::ConfigRewriter& rw) {
  auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
  rw.rewrite_line("protected-mode", "protected-mode " + yes_no(s.protected_mode), !s.protected_mode);
  rw.rewrite_line("port", "port " + std::to_string(s.port), s.port != 6379);
  const bool default_bind = s.bind.empty() || s.bind == std::vector<std::string>{"*", "-::*"};
  if (default_bind) {
    rw.mark_processed("bind");
  } else {
    std::string line = "bind";
    for (const auto& b : s.bind) line += " " + b;
    rw.rewrite_line("bind", line, true);
  }
  rw.rewrite_line("daemonize", "daemonize " + yes_no(s.daemonize), s.daemonize);
  rw.rewrite_line("supervised", "supervised " + s.supervised, s.supervised != "no");
  if (s.pidfile.empty()) {
    rw.mark_processed("pidfile");
  } else {
    rw.rewrite_line("pidfile", "pidfile " + quoted(s.pidfile), true);
  }
  rw.rewrite_line("loglevel", "loglevel " + s.loglevel, s.loglevel != "notice");
  rw.rewrite_line("logfile", "logfile " + quoted(s.logfile), !s.logfile.empty());
  if (!s.dir.empty()) rw.rewrite_line("dir", "dir " + quoted(s.dir), true);
  if (s.requirepass.empty()) {
    rw.mark_processed("requirepass");
  } else {
    rw.rewrite_line("requirepass", "requirepass " + quoted(s.requirepass), true);
  }
}

}  // namespace

std::string serialize_state(const PersistedState& st, const Tunables& defaults) {
  LineCollector out;
  emit_sentinel_options(st, defaults, out);
  return out.text();
}

ServerSettings server_settings_of(const DaemonConfig& cfg) {
  ServerSettings s;
  s.port = cfg.core.port;
  s.bind = cfg.bind;
  s.protected_mode = cfg.protected_mode;
  s.daemonize = cfg.daemonize;
  s.supervised = cfg.supervised;
  s.pidfile = cfg.pidfile;
  s.loglevel = cfg.loglevel;
  s.logfile = cfg.logfile;
  s.requirepass = cfg.requirepass;
  std::error_code ec;
  auto abs = std::filesystem::absolute(cfg.dir, ec);
  s.dir = ec ? cfg.dir : abs.lexically_normal().string();
  while (s.dir.size() > 1 && s.dir.back() == '/') s.dir.pop_back();
  return s;
}

std::string rewrite_sentinel_conf(const std::string& original, const PersistedState& state,
                                  const Tunables& defaults, const ServerSettings& server) {
  // Every directive in the file was accepted when it was loaded: none is
  // commented out as unknown.
  config::ConfigRewriter rw(original, [](std::string_view) { return true; }, {}, true);
  emit_server_options(server, rw);
  emit_sentinel_options(state, defaults, rw);
  return rw.content();
}

std::string sentinel_conf_unwritable_reason(const std::string& path) {
  if (access(path.c_str(), W_OK) != 0) return std::string("the file is not writable: ") + std::strerror(errno);
  // The rewrite replaces the file a symlink points to (ConfigMap-style links):
  // that file's directory is the one that must be writable.
  std::error_code ec;
  std::filesystem::path target = std::filesystem::canonical(path, ec);
  if (ec) target = path;
  std::string dir = target.parent_path().string();
  if (dir.empty()) dir = ".";
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return "its directory " + dir + " is not writable (the rewrite replaces the file): " + std::strerror(errno);
  return "";
}

namespace {

std::string write_durably(const std::string& path, const std::string& data) {
  std::string err;
  if (!util::write_file_atomic(path, data, &err)) return err.empty() ? "cannot write " + path : err;
  return "";
}

}  // namespace

std::string StateStore::save(const PersistedState& state) {
  if (mode_ == Mode::kStateFile) {
    return write_durably(path_, "# vigil-sentinel runtime state: written by the daemon, do not edit\n" +
                                    serialize_state(state, defaults_));
  }
  std::string old, err;
  if (!util::read_file(path_, &old, &err) && errno != ENOENT) return err;
  return write_durably(path_, rewrite_sentinel_conf(old, state, defaults_, server_));
}

std::string merge_state_file(const std::string& path, DaemonConfig& cfg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";   // no state yet: first start
  std::stringstream ss;
  ss << in.rdbuf();
  DaemonConfig saved;
  saved.core.tunables = cfg.core.tunables;
  saved.core.globals.resolve_hostnames = cfg.core.globals.resolve_hostnames;
  if (std::string err = load_sentinel_conf(ss.str(), saved); !err.empty())
    return "state file " + path + ": " + err;
  if (!saved.state) return "";
  for (const auto& m : saved.core.masters) {
    bool known = false;
    for (const auto& c : cfg.core.masters) known = known || c.name == m.name;
    if (!known) cfg.core.masters.push_back(m);   // added at runtime (SENTINEL MONITOR)
  }
  if (!saved.state->myid.empty()) cfg.core.myid = saved.state->myid;
  // Settings from the configuration file win over the saved copies; the state
  // keeps only what the daemon learnt at runtime.
  saved.state->globals = cfg.core.globals;
  for (auto& pm : saved.state->masters) {
    for (const auto& c : cfg.core.masters)
      if (c.name == pm.settings.name) {
        const Address current = pm.settings.addr;
        pm.settings = c;
        pm.settings.addr = current;
      }
  }
  cfg.state = std::move(saved.state);
  return "";
}

}  // namespace vigil::sentinel::server
