// Server commands: DBSIZE FLUSHDB FLUSHALL TIME COMMAND DEBUG SHUTDOWN ROLE
// LASTSAVE. INFO lives in server_info.cpp, CONFIG in server_config.cpp.
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/config/registry.h"

#include "common/util/glob.h"
#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/commands/server_family.h"
#include "node/server/client.h"
#include "node/server/node_server.h"
#include "node/store/database.h"

namespace vigil::node {

namespace {

using command::kAdmin;
using command::kAllowBusy;
using command::kFast;
using command::kLoading;
using command::kNoMulti;
using command::kNoScript;
using command::kReadonly;
using command::kStale;
using command::kWrite;

bool eq(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void dbsize(CommandContext& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.db().size())); }

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: both modes free synchronously here.
bool flush_mode_ok(CommandContext& ctx) {
  if (ctx.argv.size() > 2 || (ctx.argv.size() == 2 && !eq(ctx.argv[1], "ASYNC") && !eq(ctx.argv[1], "SYNC"))) {
    ctx.reply.error("ERR syntax error");
    return false;
  }
  return true;
}

void flushdb(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  ctx.server.touch_all_watched(ctx.client.db);
  ctx.db().clear();
  ctx.reply.ok();
}

void flushall(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  ctx.server.touch_all_watched(-1);
  for (int i = 0; i < ctx.server.database_count(); i++) ctx.server.db(i).clear();
  ctx.reply.ok();
}

void time_cmd(CommandContext& ctx) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(tv.tv_sec));
  ctx.reply.bulk(std::to_string(tv.tv_usec));
}

void lastsave(CommandContext& ctx) { ctx.reply.integer(ctx.server.lastsave_s); }

void role(CommandContext& ctx) {
  if (ctx.server.role_reply) {
    ctx.server.role_reply(ctx.reply);
    return;
  }
  ctx.reply.array(3);
  ctx.reply.bulk("master");
  ctx.reply.integer(0);
  ctx.reply.array(0);
}

void shutdown(CommandContext& ctx) {
  bool save = false, nosave = false;
  for (size_t i = 1; i < ctx.argv.size(); i++) {
    const std::string& a = ctx.argv[i];
    if (eq(a, "SAVE")) {
      save = true;
    } else if (eq(a, "NOSAVE")) {
      nosave = true;
    } else if (eq(a, "NOW") || eq(a, "FORCE")) {
      // No shutdown delay to skip and no save failure to override here.
    } else if (eq(a, "ABORT")) {
      if (ctx.argv.size() != 2) {  // ABORT takes no other flag
        ctx.reply.error("ERR syntax error");
        return;
      }
      ctx.reply.error("ERR No shutdown in progress.");
      return;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  if (save && nosave) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  std::string err = ctx.server.on_shutdown ? ctx.server.on_shutdown(save, nosave) : std::string();
  if (!err.empty()) {
    ctx.reply.error(err);
    return;
  }
  // Redis never answers a successful SHUTDOWN: the connection just closes.
  if (!ctx.server.on_shutdown) ctx.server.stop();
}

// ---- DEBUG -----------------------------------------------------------------

// enable-debug-command: "yes", "local" (loopback clients only) or "no" (Redis's default).
bool debug_allowed(CommandContext& ctx) {
  const config::Param* p = ctx.server.config_registry().find("enable-debug-command");
  std::string mode = p ? p->get() : "yes";
  if (mode == "yes") return true;
  if (mode == "local" && ctx.client.conn) {
    const std::string& addr = ctx.client.conn->peer_addr();
    return addr.rfind("127.", 0) == 0 || addr.rfind("[::1]", 0) == 0;
  }
  return false;
}

void debug(CommandContext& ctx) {
  if (!debug_allowed(ctx)) {
    ctx.reply.error(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
        "can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
    return;
  }
  const std::string& sub = ctx.argv[1];
  if (eq(sub, "SLEEP") && ctx.argv.size() == 3) {
    // Redis parses with strtold and no check: garbage sleeps 0 s.
    long double secs = std::strtold(ctx.argv[2].c_str(), nullptr);
    // Stalls the whole server on purpose (tests use it to simulate a busy node).
    auto us = static_cast<useconds_t>(std::clamp<long double>(secs * 1e6L, 0, 3600e6L));
    if (us > 0) usleep(us);
    ctx.reply.ok();
  } else if (eq(sub, "SET-ACTIVE-EXPIRE") && ctx.argv.size() == 3) {
    ctx.server.active_expire_enabled = std::atoi(ctx.argv[2].c_str()) != 0;
    ctx.reply.ok();
  } else if (eq(sub, "HELP") && ctx.argv.size() == 2) {
    write_help(ctx.reply, "DEBUG",
               {"SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not accessed.",
                "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed."});
  } else {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" + sub.substr(0, 128) +
                    "'. Try DEBUG HELP.");
  }
}

// ---- COMMAND ---------------------------------------------------------------

void command_all(CommandContext& ctx) {
  const auto& all = ctx.server.commands().all();
  ctx.reply.array(all.size());
  for (const auto& [name, cmd] : all) NodeCommandTable::write_info(ctx.reply, cmd);
}

void command_count(CommandContext& ctx) {
  ctx.reply.integer(static_cast<int64_t>(ctx.server.commands().size()));
}

// "config|get" or "get": the table entry for a full command name.
const NodeCommand* find_full(const NodeCommandTable& t, std::string_view name) {
  auto bar = name.find('|');
  const NodeCommand* cmd = t.find(name.substr(0, bar));
  if (cmd == nullptr || bar == std::string_view::npos) return cmd;
  return t.find_subcommand(*cmd, name.substr(bar + 1));
}

void command_info(CommandContext& ctx) {
  const NodeCommandTable& t = ctx.server.commands();
  if (ctx.argv.size() == 2) {
    command_all(ctx);
    return;
  }
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); i++) {
    const NodeCommand* cmd = find_full(t, ctx.argv[i]);
    if (cmd) {
      NodeCommandTable::write_info(ctx.reply, *cmd);
    } else {
      ctx.reply.null_bulk();
    }
  }
}

void command_list(CommandContext& ctx) {
  auto& argv = ctx.argv;
  enum { kAll, kPattern, kAclCat, kModule } filter = kAll;
  if (argv.size() == 5 && eq(argv[2], "FILTERBY")) {
    if (eq(argv[3], "PATTERN")) {
      filter = kPattern;
    } else if (eq(argv[3], "ACLCAT")) {
      filter = kAclCat;
    } else if (eq(argv[3], "MODULE")) {
      filter = kModule;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  } else if (argv.size() != 2) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  std::vector<std::string> names;
  auto consider = [&](const NodeCommand& c, const std::string& full) {
    if (filter == kModule) return;
    if (filter == kPattern && !util::stringmatchlen(argv[4], full, true)) return;
    if (filter == kAclCat) {
      std::string cat = "@" + argv[4];
      bool has = std::any_of(c.acl_categories.begin(), c.acl_categories.end(),
                             [&](const std::string& x) { return eq(x, cat) || eq(x, argv[4]); });
      if (!has) return;
    }
    names.push_back(full);
  };
  for (const auto& [name, cmd] : ctx.server.commands().all()) {
    consider(cmd, name);
    for (const auto& [key, sub] : cmd.subcommands) consider(sub, sub.name);
  }
  ctx.reply.array(names.size());
  for (const auto& n : names) ctx.reply.bulk(n);
}

// Minimal COMMAND DOCS: a valid map per command (redis-cli 7 reads it for hints).
void write_docs(resp::ReplyBuilder& r, const NodeCommand& cmd) {
  r.bulk(cmd.name);
  size_t fields = cmd.subcommands.empty() ? 3 : 4;
  r.map(fields);
  r.bulk("summary");
  r.bulk("");
  r.bulk("since");
  r.bulk("1.0.0");
  r.bulk("group");
  r.bulk("generic");
  if (!cmd.subcommands.empty()) {
    r.bulk("subcommands");
    r.map(cmd.subcommands.size());
    for (const auto& [key, sub] : cmd.subcommands) write_docs(r, sub);
  }
}

void command_docs(CommandContext& ctx) {
  const NodeCommandTable& t = ctx.server.commands();
  std::vector<const NodeCommand*> cmds;
  if (ctx.argv.size() == 2) {
    for (const auto& [name, cmd] : t.all()) cmds.push_back(&cmd);
  } else {
    for (size_t i = 2; i < ctx.argv.size(); i++) {
      if (const NodeCommand* c = find_full(t, ctx.argv[i])) cmds.push_back(c);
    }
  }
  ctx.reply.map(cmds.size());
  for (const NodeCommand* c : cmds) write_docs(ctx.reply, *c);
}

void command_getkeys(CommandContext& ctx) {
  std::vector<std::string> args(ctx.argv.begin() + 2, ctx.argv.end());
  const NodeCommandTable& t = ctx.server.commands();
  const NodeCommand* cmd = t.find(args[0]);
  if (cmd && !cmd->subcommands.empty() && args.size() >= 2) cmd = t.find_subcommand(*cmd, args[1]);
  if (cmd == nullptr) {
    ctx.reply.error("ERR Invalid command specified");
    return;
  }
  if (!cmd->arity_ok(args.size())) {
    ctx.reply.error("ERR Invalid number of arguments specified for command");
    return;
  }
  if (cmd->first_key == 0) {
    ctx.reply.error("ERR The command has no key arguments");
    return;
  }
  int argc = static_cast<int>(args.size());
  int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
  int step = std::max(1, cmd->key_step);
  std::vector<std::string> keys;
  for (int i = cmd->first_key; i <= last && i < argc; i += step) keys.push_back(args[static_cast<size_t>(i)]);
  ctx.reply.array(keys.size());
  for (const auto& k : keys) ctx.reply.bulk(k);
}

void command_help(CommandContext& ctx) {
  write_help(ctx.reply, "COMMAND",
             {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
              "    Return the total number of commands in this Redis server.", "LIST",
              "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
              "    Return details about multiple Redis commands.",
              "    If no command names are given, documentation details for all",
              "    commands are returned.", "DOCS [<command-name> ...]",
              "    Return documentation details about multiple Redis commands.",
              "    If no command names are given, documentation details for all",
              "    commands are returned.", "GETKEYS <full-command>",
              "    Return the keys from a full Redis command."});
}

}  // namespace

void register_server_family(NodeCommandTable& t) {
  const std::vector<std::string> admin_fast = {"@admin", "@fast", "@dangerous"};
  const std::vector<std::string> admin_slow = {"@admin", "@slow", "@dangerous"};
  t.add(make_command("dbsize", 1, kReadonly | kFast, {"@keyspace", "@read", "@fast"}, dbsize));
  t.add(make_command("flushdb", -1, kWrite, {"@keyspace", "@write", "@slow", "@dangerous"}, flushdb));
  t.add(make_command("flushall", -1, kWrite, {"@keyspace", "@write", "@slow", "@dangerous"}, flushall));
  t.add(make_command("time", 1, kLoading | kStale | kFast, {"@fast"}, time_cmd));
  t.add(make_command("lastsave", 1, kLoading | kStale | kFast, admin_fast, lastsave));
  t.add(make_command("role", 1, kNoScript | kLoading | kStale | kFast, admin_fast, role));
  t.add(make_command("shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy,
                     admin_slow, shutdown));
  t.add(make_command("debug", -2, kAdmin | kNoScript | kLoading | kStale, admin_slow, debug));

  const std::vector<std::string> cats = {"@slow", "@connection"};
  const uint32_t f = kLoading | kStale;
  NodeCommand cmd = make_command("command", -1, f, cats, command_all);
  add_subcommand(cmd, make_command("command|count", 2, f, cats, command_count));
  add_subcommand(cmd, make_command("command|info", -2, f, cats, command_info));
  add_subcommand(cmd, make_command("command|list", -2, f, cats, command_list));
  add_subcommand(cmd, make_command("command|docs", -2, f, cats, command_docs));
  add_subcommand(cmd, make_command("command|getkeys", -4, f, cats, command_getkeys));
  add_subcommand(cmd, make_command("command|help", 2, f, cats, command_help));
  t.add(std::move(cmd));

  register_info_command(t);
  register_config_command(t);

}

}  // namespace vigil::node
