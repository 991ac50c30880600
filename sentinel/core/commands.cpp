// Operator commands (SENTINEL MONITOR/REMOVE/SET/RESET/FAILOVER/CKQUORUM/FLUSHCONFIG/
// SIMULATE-FAILURE/CONFIG/DEBUG) with Redis 7.0's validation and error texts.
#include <algorithm>

#include "sentinel/core/impl.h"
#include "sentinel/core/text.h"

namespace vigil::sentinel {
namespace {

const char* kNoSuchMaster = "ERR No such master with that name";

std::optional<bool> yes_no(const std::string& v) {
  if (text::iequals(v, "yes")) return true;
  if (text::iequals(v, "no")) return false;
  return std::nullopt;
}

// SENTINEL DEBUG parameters: Redis's tunables then vigil's options, in reply order.
struct DebugParam {
  const char* name;
  TimeMs Tunables::*tunable;       // Redis tunable (value > 0), or
  TimeMs VigilOptions::*vigil_ms;  // vigil duration (value >= 0), or
  bool VigilOptions::*vigil_flag;  // vigil switch (0/1)
};

constexpr DebugParam kDebugParams[] = {
    {"info-period", &Tunables::info_period, nullptr, nullptr},
    {"ping-period", &Tunables::ping_period, nullptr, nullptr},
    {"ask-period", &Tunables::ask_period, nullptr, nullptr},
    {"publish-period", &Tunables::publish_period, nullptr, nullptr},
    {"default-down-after", &Tunables::default_down_after, nullptr, nullptr},
    {"default-failover-timeout", &Tunables::default_failover_timeout, nullptr, nullptr},
    {"tilt-trigger", &Tunables::tilt_trigger, nullptr, nullptr},
    {"tilt-period", &Tunables::tilt_period, nullptr, nullptr},
    {"slave-reconf-timeout", &Tunables::slave_reconf_timeout, nullptr, nullptr},
    {"min-link-reconnect-period", &Tunables::min_link_reconnect_period, nullptr, nullptr},
    {"election-timeout", &Tunables::election_timeout, nullptr, nullptr},
    {"script-max-runtime", &Tunables::script_max_runtime, nullptr, nullptr},
    {"script-retry-delay", &Tunables::script_retry_delay, nullptr, nullptr},
    {"vigil-redis-compatible-timing", nullptr, nullptr, &VigilOptions::redis_compatible_timing},
    {"vigil-fast-promotion-poll-ms", nullptr, &VigilOptions::fast_promotion_poll_ms, nullptr},
    {"vigil-push-config", nullptr, nullptr, &VigilOptions::push_config},
    {"vigil-fast-detection", nullptr, nullptr, &VigilOptions::fast_detection},
    {"vigil-prompt-steps", nullptr, nullptr, &VigilOptions::prompt_steps},
    {"vigil-lossless-manual-failover", nullptr, nullptr, &VigilOptions::lossless_manual_failover},
    {"vigil-elected-manual-failover", nullptr, nullptr, &VigilOptions::elected_manual_failover},
    {"vigil-strict-replica-liveness", nullptr, nullptr, &VigilOptions::strict_replica_liveness},
    {"vigil-lossless-pause-ms", nullptr, &VigilOptions::lossless_pause_ms, nullptr},
    {"vigil-lossless-catchup-timeout-ms", nullptr, &VigilOptions::lossless_catchup_timeout_ms, nullptr},
};

}  // namespace

CommandResult Sentinel::monitor(TimeMs now, const std::string& name, const std::string& host,
                                const std::string& port, const std::string& quorum) {
  Impl& s = *impl_;
  s.advance(now);
  auto q = text::parse_int64(quorum);
  if (!q) return CommandResult::failure("ERR Invalid quorum");
  auto p = text::parse_int64(port);
  if (!p) return CommandResult::failure("ERR Invalid port");
  if (*q <= 0) return CommandResult::failure("ERR Quorum must be 1 or greater.");
  if (!s.cfg.globals.resolve_hostnames && !text::is_ip_literal(host))
    return CommandResult::failure("ERR Invalid IP address or hostname specified");
  if (*p < 0 || *p > 65535) return CommandResult::failure("ERR Invalid port number.");
  if (s.find_master(name)) return CommandResult::failure("ERR Duplicate master name.");
  MasterConfig mc;
  mc.name = name;
  mc.addr = Address{host, static_cast<int>(*p)};
  mc.quorum = static_cast<int>(std::min<int64_t>(*q, 1 << 30));
  mc.down_after_ms = s.tun().default_down_after;
  mc.failover_timeout_ms = s.tun().default_failover_timeout;
  Instance* ri = s.create_master(mc);
  s.persist();
  s.event(LogLevel::Warning, "+monitor", ri, "quorum " + std::to_string(mc.quorum));
  return CommandResult::success();
}

CommandResult Sentinel::remove(TimeMs now, const std::string& name) {
  Impl& s = *impl_;
  s.advance(now);
  auto it = std::find_if(s.masters.begin(), s.masters.end(),
                         [&](const auto& m) { return m->name == name; });
  if (it == s.masters.end()) return CommandResult::failure(kNoSuchMaster);
  s.event(LogLevel::Warning, "-monitor", it->get(), "");
  if ((*it)->old_master_paused) s.lossless_release_old_master(it->get(), std::nullopt);
  s.unregister_tree(it->get());
  s.masters.erase(it);
  s.persist();
  return CommandResult::success();
}

CommandResult Sentinel::set(TimeMs now, const std::string& name, const std::vector<std::string>& args) {
  Impl& s = *impl_;
  s.advance(now);
  Instance* ri = s.find_master(name);
  if (!ri) return CommandResult::failure(kNoSuchMaster);
  int changes = 0;
  std::optional<CommandResult> error;
  for (size_t j = 0; j < args.size() && !error; ++j) {
    const std::string& option = args[j];
    size_t more = args.size() - 1 - j;
    size_t first_value = j + 1;
    bool redacted = false;
    auto bad = [&](size_t at) {
      error = CommandResult::failure("ERR Invalid argument '" + args[at] + "' for SENTINEL SET '" + option + "'");
    };
    auto positive = [&](int64_t min) -> std::optional<int64_t> {
      auto v = text::parse_int64(args[++j]);
      if (!v || *v < min) {
        bad(j);
        return std::nullopt;
      }
      return v;
    };
    if (text::iequals(option, "down-after-milliseconds") && more > 0) {
      auto v = positive(1);
      if (!v) break;
      ri->down_after_period = *v;
      ri->cfg.down_after_ms = *v;
      for (auto& r : ri->replicas) r->down_after_period = *v;
      for (auto& si : ri->sentinels) si->down_after_period = *v;
    } else if (text::iequals(option, "failover-timeout") && more > 0) {
      auto v = positive(1);
      if (!v) break;
      ri->cfg.failover_timeout_ms = *v;
    } else if (text::iequals(option, "parallel-syncs") && more > 0) {
      auto v = positive(1);
      if (!v) break;
      ri->cfg.parallel_syncs = static_cast<int>(std::min<int64_t>(*v, 1 << 30));
    } else if ((text::iequals(option, "notification-script") ||
                text::iequals(option, "client-reconfig-script")) && more > 0) {
      bool notification = text::iequals(option, "notification-script");
      const std::string& value = args[++j];
      if (s.cfg.globals.deny_scripts_reconfig) {
        error = CommandResult::failure(
            "ERR Reconfiguration of scripts path is denied for security reasons. Check the "
            "deny-scripts-reconfig configuration directive in your Sentinel configuration");
        break;
      }
      if (!value.empty() && s.env.is_executable && !s.env.is_executable(value)) {
        error = CommandResult::failure(notification
                                           ? "ERR Notification script seems non existing or non executable"
                                           : "ERR Client reconfiguration script seems non existing or non executable");
        break;
      }
      (notification ? ri->cfg.notification_script : ri->cfg.client_reconfig_script) = value;
    } else if ((text::iequals(option, "auth-pass") || text::iequals(option, "auth-user")) && more > 0) {
      bool pass = text::iequals(option, "auth-pass");
      (pass ? ri->cfg.auth_pass : ri->cfg.auth_user) = args[++j];
      redacted = pass;
      // Reconnect the master and its replicas with the new credentials.
      s.close_connection(*ri->link, Connection::Command);
      s.close_connection(*ri->link, Connection::PubSub);
      for (auto& r : ri->replicas) {
        s.close_connection(*r->link, Connection::Command);
        s.close_connection(*r->link, Connection::PubSub);
      }
    } else if (text::iequals(option, "quorum") && more > 0) {
      auto v = positive(1);
      if (!v) break;
      ri->cfg.quorum = static_cast<int>(std::min<int64_t>(*v, 1 << 30));
    } else if (text::iequals(option, "rename-command") && more > 1) {
      const std::string& oldname = args[++j];
      const std::string& newname = args[++j];
      if (oldname.empty() || newname.empty()) {
        bad(newname.empty() ? j : j - 1);
        break;
      }
      ri->cfg.renamed_commands.erase(text::to_lower(oldname));
      if (!text::iequals(oldname, newname)) ri->cfg.renamed_commands[text::to_lower(oldname)] = newname;
    } else if (text::iequals(option, "master-reboot-down-after-period") && more > 0) {
      auto v = positive(0);
      if (!v) break;
      ri->cfg.master_reboot_down_after_period_ms = *v;
      ri->master_reboot_down_after_period = *v;
    } else {
      error = CommandResult::failure("ERR Unknown option or number of arguments for SENTINEL SET '" + option + "'");
      break;
    }
    ++changes;
    std::string msg = option;
    for (size_t k = first_value; k <= j; ++k) msg += " " + (redacted ? std::string("******") : args[k]);
    s.event(LogLevel::Warning, "+set", ri, msg);
  }
  if (changes) s.persist();
  return error ? *error : CommandResult::success();
}

int64_t Sentinel::reset(TimeMs now, const std::string& pattern) {
  Impl& s = *impl_;
  s.advance(now);
  int64_t count = 0;
  for (auto& m : s.masters) {
    if (!text::glob_match(pattern, m->name, false)) continue;
    s.reset_master(m.get(), false, true);
    ++count;
  }
  // Redis does not flush here (reference §14.8): forgotten replicas and sentinels would
  // come back after a restart. vigil persists the reset.
  if (count) s.persist();
  return count;
}

CommandResult Sentinel::failover(TimeMs now, const std::string& name) {
  Impl& s = *impl_;
  s.advance(now);
  Instance* ri = s.find_master(name);
  if (!ri) return CommandResult::failure(kNoSuchMaster);
  if (ri->flags & flag::kFailoverInProgress)
    return CommandResult::failure("INPROG Failover already in progress");
  if (!s.select_slave(ri)) return CommandResult::failure("NOGOODSLAVE No suitable replica to promote");
  s.log(LogLevel::Warning, "Executing user requested FAILOVER of '" + ri->name + "'");
  s.start_failover(ri);
  ri->flags |= flag::kForceFailover;
  if (s.vigil().elected_manual_enabled()) s.ask_master_state(ri, true);  // request votes now
  return CommandResult::success();
}

CommandResult Sentinel::ckquorum(const std::string& name) const {
  const Impl& s = *impl_;
  const Instance* ri = s.find_master(name);
  if (!ri) return CommandResult::failure(kNoSuchMaster);
  int voters = static_cast<int>(ri->sentinels.size()) + 1;
  int usable = 1;
  for (auto& si : ri->sentinels)
    if (!(si->flags & (flag::kSDown | flag::kODown))) ++usable;
  bool no_quorum = usable < ri->cfg.quorum;
  bool no_auth = usable < voters / 2 + 1;
  if (!no_quorum && !no_auth)
    return CommandResult::success("OK " + std::to_string(usable) +
                                  " usable Sentinels. Quorum and failover authorization can be reached");
  std::string e = "NOQUORUM " + std::to_string(usable) + " usable Sentinels. ";
  if (no_quorum) e += "Not enough available Sentinels to reach the specified quorum for this master";
  if (no_auth) {
    if (no_quorum) e += ". ";
    e += "Not enough available Sentinels to reach the majority and authorize a failover";
  }
  return CommandResult::failure(e);
}

CommandResult Sentinel::flushconfig() {
  impl_->persist();
  return CommandResult::success();
}

CommandResult Sentinel::simulate_failure(const std::vector<std::string>& flags) {
  Impl& s = *impl_;
  int64_t value = 0;
  for (const std::string& f : flags) {
    if (text::iequals(f, "crash-after-election")) {
      value |= kSimFailureCrashAfterElection;
      s.log(LogLevel::Warning, "Failure simulation: this Sentinel will crash after being successfully "
                               "elected as failover leader");
    } else if (text::iequals(f, "crash-after-promotion")) {
      value |= kSimFailureCrashAfterPromotion;
      s.log(LogLevel::Warning, "Failure simulation: this Sentinel will crash after promoting the "
                               "selected replica to master");
    } else {
      return CommandResult::failure("ERR Unknown failure simulation specified");
    }
  }
  s.simfailure_flags = value;
  return CommandResult::success();
}

std::vector<std::pair<std::string, std::string>> Sentinel::config_get(const std::string& pattern) const {
  const GlobalSettings& g = impl_->cfg.globals;
  std::vector<std::pair<std::string, std::string>> all = {
      {"resolve-hostnames", g.resolve_hostnames ? "yes" : "no"},
      {"announce-hostnames", g.announce_hostnames ? "yes" : "no"},
      {"announce-ip", g.announce_ip},
      {"announce-port", std::to_string(g.announce_port)},
      {"sentinel-user", g.sentinel_user},
      {"sentinel-pass", g.sentinel_pass},
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& kv : all)
    if (text::glob_match(pattern, kv.first, true)) out.push_back(kv);
  return out;
}

CommandResult Sentinel::config_set(TimeMs now, const std::string& param, const std::string& value) {
  Impl& s = *impl_;
  s.advance(now);
  GlobalSettings& g = s.cfg.globals;
  bool drop_sentinel_links = false;
  auto bad = [&] {
    return CommandResult::failure("ERR Invalid value '" + value + "' to SENTINEL CONFIG SET '" + param + "'");
  };
  if (text::iequals(param, "resolve-hostnames") || text::iequals(param, "announce-hostnames")) {
    auto v = yes_no(value);
    if (!v) return bad();
    (text::iequals(param, "resolve-hostnames") ? g.resolve_hostnames : g.announce_hostnames) = *v;
  } else if (text::iequals(param, "announce-ip")) {
    g.announce_ip = value;
  } else if (text::iequals(param, "announce-port")) {
    auto v = text::parse_int64(value);
    if (!v || *v < 0 || *v > 65535) return bad();
    g.announce_port = static_cast<int>(*v);
  } else if (text::iequals(param, "sentinel-user") || text::iequals(param, "sentinel-pass")) {
    (text::iequals(param, "sentinel-user") ? g.sentinel_user : g.sentinel_pass) = value;
    drop_sentinel_links = true;
  } else {
    return CommandResult::failure("ERR Invalid argument '" + param + "' to SENTINEL CONFIG SET");
  }
  s.persist();
  if (drop_sentinel_links) {
    for (auto& m : s.masters)
      for (auto& si : m->sentinels) s.close_connection(*si->link, Connection::Command);
  }
  return CommandResult::success();
}

std::vector<std::pair<std::string, int64_t>> Sentinel::debug_get() const {
  const Config& c = impl_->cfg;
  std::vector<std::pair<std::string, int64_t>> out;
  for (const DebugParam& p : kDebugParams) {
    int64_t value = p.tunable ? c.tunables.*p.tunable
                    : p.vigil_ms ? c.vigil.*p.vigil_ms
                                 : (c.vigil.*p.vigil_flag ? 1 : 0);
    out.emplace_back(text::to_upper(p.name), value);
  }
  return out;
}

CommandResult Sentinel::debug_set(const std::vector<std::string>& args) {
  Config& c = impl_->cfg;
  for (size_t j = 0; j < args.size(); ++j) {
    const std::string& option = args[j];
    const DebugParam* param = nullptr;
    for (const DebugParam& p : kDebugParams)
      if (text::iequals(option, p.name)) param = &p;
    if (!param || j + 1 >= args.size())
      return CommandResult::failure("ERR Unknown option or number of arguments for SENTINEL DEBUG '" + option + "'");
    const std::string& raw = args[++j];
    auto v = text::parse_int64(raw);
    bool ok = v && (param->tunable ? *v > 0 : param->vigil_ms ? *v >= 0 : (*v == 0 || *v == 1));
    if (!ok) return CommandResult::failure("ERR Invalid argument '" + raw + "' for SENTINEL DEBUG '" + option + "'");
    if (param->tunable) c.tunables.*param->tunable = *v;
    else if (param->vigil_ms) c.vigil.*param->vigil_ms = *v;
    else c.vigil.*param->vigil_flag = *v == 1;
  }
  return CommandResult::success();
}

}  // namespace vigil::sentinel
