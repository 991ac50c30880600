// SENTINEL <subcommand> handlers: thin adapters from RESP to the core's
// operator and query API. Reply shapes follow Redis 7.0 exactly (clients parse
// them): instance records are maps of bulk strings, GET-MASTER-ADDR-BY-NAME a
// two-bulk array or a null array, IS-MASTER-DOWN-BY-ADDR [:down, $leader, :epoch].
#include <strings.h>

#include <cerrno>
#include <cstdlib>

#include "sentinel/core/views.h"
#include "sentinel/server/daemon.h"
#include "sentinel/server/service.h"

namespace vigil::sentinel::server {

namespace {

const char* const kHelp[] = {
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Prints this help.",
};

void write_instance(resp::ReplyBuilder& r, const InstanceView& v) {
  auto fields = redis_fields(v);
  r.map(fields.size());
  for (const auto& [k, val] : fields) {
    r.bulk(k);
    r.bulk(val);
  }
}

void write_instances(resp::ReplyBuilder& r, const std::vector<InstanceView>& list) {
  r.array(list.size());
  for (const auto& v : list) write_instance(r, v);
}

// Replies +message / -message and, if the command changed state, runs the
// effects (the Persist is durable before the reply leaves).
void reply_result(CommandCtx& c, const CommandResult& res) {
  const bool persisted = c.daemon.drain();
  if (!res.ok) {
    c.r.error(res.message);
  } else if (!persisted) {
    c.r.error("ERR Failed to save config file. Check server logs.");
  } else {
    c.r.simple(res.message);
  }
}

bool parse_ll(const std::string& s, long long& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

Cmd sub(const char* name, int arity, std::function<void(CommandCtx&)> fn) {
  Cmd c;
  c.name = std::string("sentinel|") + name;  // Redis's full name, as COMMAND and errors show it
  c.arity = arity;
  c.flags = command::kAdmin | command::kSentinel | command::kOnlySentinel;
  c.acl_categories = {"@admin", "@slow", "@dangerous"};
  c.handler = std::move(fn);
  return c;
}

void cmd_masters(CommandCtx& c) { write_instances(c.r, c.daemon.core().masters()); }

void cmd_master(CommandCtx& c) {
  auto v = c.daemon.core().master(c.argv[2]);
  if (!v) return c.r.error("ERR No such master with that name");
  write_instance(c.r, *v);
}

void cmd_replicas(CommandCtx& c) {
  auto list = c.daemon.core().replicas(c.argv[2]);
  if (!list) return c.r.error("ERR No such master with that name");
  std::vector<InstanceView> shown;
  for (auto& v : *list)
    if (v.replica_announced) shown.push_back(std::move(v));
  write_instances(c.r, shown);
}

void cmd_sentinels(CommandCtx& c) {
  auto list = c.daemon.core().sentinels(c.argv[2]);
  if (!list) return c.r.error("ERR No such master with that name");
  write_instances(c.r, *list);
}

void cmd_get_master_addr(CommandCtx& c) {
  auto addr = c.daemon.core().master_addr(c.argv[2]);
  if (!addr) return c.r.null_array();
  c.r.array(2);
  c.r.bulk(addr->host);
  c.r.bulk(std::to_string(addr->port));
}

void cmd_reset(CommandCtx& c) {
  const int64_t n = c.daemon.core().reset(c.daemon.now(), c.argv[2]);
  c.daemon.drain();
  c.r.integer(n);
}

void cmd_failover(CommandCtx& c) {
  reply_result(c, c.daemon.core().failover(c.daemon.now(), c.argv[2]));
}

void cmd_ckquorum(CommandCtx& c) {
  auto res = c.daemon.core().ckquorum(c.argv[2]);
  res.ok ? c.r.simple(res.message) : c.r.error(res.message);
}

void cmd_flushconfig(CommandCtx& c) { reply_result(c, c.daemon.core().flushconfig()); }

void cmd_monitor(CommandCtx& c) {
  reply_result(c, c.daemon.core().monitor(c.daemon.now(), c.argv[2], c.argv[3], c.argv[4], c.argv[5]));
}

void cmd_remove(CommandCtx& c) { reply_result(c, c.daemon.core().remove(c.daemon.now(), c.argv[2])); }

void cmd_set(CommandCtx& c) {
  std::vector<std::string> options(c.argv.begin() + 3, c.argv.end());
  reply_result(c, c.daemon.core().set(c.daemon.now(), c.argv[2], options));
}

void cmd_is_master_down(CommandCtx& c) {
  long long port = 0, epoch = 0;
  if (!parse_ll(c.argv[3], port) || !parse_ll(c.argv[4], epoch))
    return c.r.error("ERR value is not an integer or out of range");
  VoteReply vote = c.daemon.core().is_master_down_by_addr(
      c.daemon.now(), Address{c.argv[2], static_cast<int>(port)},
      static_cast<uint64_t>(epoch < 0 ? 0 : epoch), c.argv[5]);
  // A vote must be durable before it leaves: if the state could not be
  // written, withhold the vote (the requester simply does not get it).
  if (!c.daemon.drain()) {
    vote.leader = "*";
    vote.leader_epoch = 0;
  }
  c.r.array(3);
  c.r.integer(vote.down ? 1 : 0);
  c.r.bulk(vote.leader);
  c.r.integer(static_cast<int64_t>(vote.leader_epoch));
}

void cmd_info_cache(CommandCtx& c) {
  std::vector<std::pair<std::string, std::vector<InfoCacheEntry>>> found;
  for (size_t i = 2; i < c.argv.size(); ++i) {
    bool dup = false;
    for (const auto& f : found) dup = dup || f.first == c.argv[i];
    if (dup) continue;
    if (auto entries = c.daemon.core().info_cache(c.argv[i])) found.emplace_back(c.argv[i], std::move(*entries));
  }
  c.r.array(found.size() * 2);
  for (const auto& [name, entries] : found) {
    c.r.bulk(name);
    c.r.array(entries.size());
    for (const auto& e : entries) {
      c.r.array(2);
      c.r.integer(e.age_ms);
      if (e.info) {
        c.r.bulk(*e.info);
      } else {
        c.r.null_bulk();
      }
    }
  }
}

void cmd_simulate_failure(CommandCtx& c) {
  std::vector<std::string> flags(c.argv.begin() + 2, c.argv.end());
  for (const auto& f : flags) {
    if (strcasecmp(f.c_str(), "help") == 0) {
      c.r.array(2);
      c.r.bulk("crash-after-election");
      c.r.bulk("crash-after-promotion");
      return;
    }
  }
  auto res = c.daemon.core().simulate_failure(flags);
  res.ok ? c.r.simple(res.message) : c.r.error(res.message);
}

void cmd_config(CommandCtx& c) {
  const std::string& op = c.argv[2];
  if (strcasecmp(op.c_str(), "get") == 0 && c.argv.size() == 4) {
    auto pairs = c.daemon.core().config_get(c.argv[3]);
    c.r.map(pairs.size());
    for (const auto& [k, v] : pairs) {
      c.r.bulk(k);
      c.r.bulk(v);
    }
    return;
  }
  if (strcasecmp(op.c_str(), "set") == 0 && c.argv.size() == 5) {
    return reply_result(c, c.daemon.core().config_set(c.daemon.now(), c.argv[3], c.argv[4]));
  }
  c.r.error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
}

void cmd_myid(CommandCtx& c) { c.r.bulk(c.daemon.core().myid()); }

void cmd_pending_scripts(CommandCtx& c) {
  auto jobs = c.daemon.scripts().snapshot();
  c.r.array(jobs.size());
  for (const auto& j : jobs) {
    c.r.map(5);
    c.r.bulk("argv");
    c.r.array(j.argv.size());
    for (const auto& a : j.argv) c.r.bulk(a);
    c.r.bulk("flags");
    c.r.bulk(j.running ? "running" : "scheduled");
    c.r.bulk("pid");
    c.r.bulk(std::to_string(j.running ? j.pid : 0));
    if (j.running) {
      c.r.bulk("run-time");
      c.r.bulk(std::to_string(j.run_time_ms));
    } else {
      c.r.bulk("run-delay");
      c.r.bulk(std::to_string(j.run_delay_ms > 0 ? j.run_delay_ms : 0));
    }
    c.r.bulk("retry-num");
    c.r.bulk(std::to_string(j.retry_num));
  }
}

void cmd_debug(CommandCtx& c) {
  if (c.argv.size() == 2) {
    auto values = c.daemon.core().debug_get();
    c.r.map(values.size());
    for (const auto& [k, v] : values) {
      c.r.bulk(k);
      c.r.bulk(std::to_string(v));
    }
    return;
  }
  std::vector<std::string> pairs(c.argv.begin() + 2, c.argv.end());
  auto res = c.daemon.core().debug_set(pairs);
  if (res.ok) {
    // The script runner's limits are daemon-side copies of two tunables.
    const Tunables& t = c.daemon.core().config().tunables;
    c.daemon.scripts().limits().max_runtime_ms = static_cast<uint64_t>(t.script_max_runtime);
    c.daemon.scripts().limits().retry_delay_ms = static_cast<uint64_t>(t.script_retry_delay);
  }
  res.ok ? c.r.simple(res.message) : c.r.error(res.message);
}

void cmd_help(CommandCtx& c) {
  c.r.array(std::size(kHelp));
  for (const char* line : kHelp) c.r.simple(line);
}

}  // namespace

void register_sentinel_commands(CommandTable& table) {
  Cmd s;
  s.name = "sentinel";
  s.arity = -2;
  s.flags = command::kAdmin | command::kSentinel | command::kOnlySentinel;
  s.acl_categories = {"@admin", "@slow", "@dangerous"};
  auto add = [&s](Cmd c) { s.subcommands.emplace(c.name.substr(c.name.find('|') + 1), std::move(c)); };
  add(sub("masters", 2, cmd_masters));
  add(sub("master", 3, cmd_master));
  add(sub("replicas", 3, cmd_replicas));
  add(sub("slaves", 3, cmd_replicas));
  add(sub("sentinels", 3, cmd_sentinels));
  add(sub("get-master-addr-by-name", 3, cmd_get_master_addr));
  add(sub("reset", 3, cmd_reset));
  add(sub("failover", 3, cmd_failover));
  add(sub("ckquorum", 3, cmd_ckquorum));
  add(sub("flushconfig", 2, cmd_flushconfig));
  add(sub("monitor", 6, cmd_monitor));
  add(sub("remove", 3, cmd_remove));
  add(sub("set", -5, cmd_set));
  add(sub("is-master-down-by-addr", 6, cmd_is_master_down));
  add(sub("info-cache", -3, cmd_info_cache));
  add(sub("simulate-failure", -3, cmd_simulate_failure));
  add(sub("config", -3, cmd_config));
  add(sub("myid", 2, cmd_myid));
  add(sub("pending-scripts", 2, cmd_pending_scripts));
  add(sub("debug", -2, cmd_debug));
  add(sub("help", 2, cmd_help));
  // Valkey 8 aliases some clients and charts use.
  add(sub("get-primary-addr-by-name", 3, cmd_get_master_addr));
  add(sub("primaries", 2, cmd_masters));
  add(sub("primary", 3, cmd_master));
  table.add(std::move(s));
}

}  // namespace vigil::sentinel::server
