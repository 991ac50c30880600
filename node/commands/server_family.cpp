// Server commands: DBSIZE FLUSHDB FLUSHALL TIME COMMAND DEBUG SHUTDOWN ROLE
// LASTSAVE. INFO lives in server_info.cpp, CONFIG in server_config.cpp.
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/command/command_introspection.h"
#include "common/config/registry.h"

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

  command::register_command_command(
      t,
      [](std::string name, int arity, NodeCommand::Handler handler) {
        return make_command(std::move(name), arity, kLoading | kStale, {"@slow", "@connection"},
                            std::move(handler));
      },
      [](CommandContext& c) -> const NodeCommandTable& { return c.server.commands(); },
      [](CommandContext& c) -> resp::ReplyBuilder& { return c.reply; });

  register_info_command(t);
  register_config_command(t);

}

}  // namespace vigil::node
