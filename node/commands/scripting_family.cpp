// Scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD|EXISTS|FLUSH|KILL|HELP.
// The interpreter, cache and conversions live in node/scripting/. A script's
// writes propagate by effects (its commands, wrapped in MULTI/EXEC when more
// than one), so EVAL itself is never propagated.
#include "node/commands/families.h"
#include "node/scripting/scripting_engine.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kAllowBusy;
using command::kLoading;
using command::kNoMandatoryKeys;
using command::kNoScript;
using command::kReadonly;
using command::kSkipMonitor;
using command::kStale;
using scripting::ScriptingEngine;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

void eval(CommandContext& ctx) { ScriptingEngine::of(ctx.server).eval(ctx, false, false); }
void evalsha(CommandContext& ctx) { ScriptingEngine::of(ctx.server).eval(ctx, true, false); }
void eval_ro(CommandContext& ctx) { ScriptingEngine::of(ctx.server).eval(ctx, false, true); }
void evalsha_ro(CommandContext& ctx) { ScriptingEngine::of(ctx.server).eval(ctx, true, true); }

void script_load(CommandContext& ctx) { ScriptingEngine::of(ctx.server).load(ctx, ctx.argv[2]); }

void script_exists(CommandContext& ctx) {
  ScriptingEngine& engine = ScriptingEngine::of(ctx.server);
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); i++) ctx.reply.integer(engine.exists(ctx.argv[i]) ? 1 : 0);
}

void script_flush(CommandContext& ctx) {
  auto& argv = ctx.argv;
  // ASYNC and SYNC free the same way here: the cache is dropped at once.
  if (argv.size() > 3 || (argv.size() == 3 && !iequals(argv[2], "sync") && !iequals(argv[2], "async"))) {
    ctx.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  ScriptingEngine::of(ctx.server).flush();
  ctx.reply.ok();
}

// Reaches a script only after busy-reply-threshold, when it yields to the loop.
void script_kill(CommandContext& ctx) { ScriptingEngine::of(ctx.server).kill(ctx); }

void script_help(CommandContext& ctx) {
  write_help(ctx.reply, "SCRIPT",
             {"DEBUG (YES|SYNC|NO)",
              "    Set the debug mode for subsequent scripts executed.",
              "EXISTS <sha1> [<sha1> ...]",
              "    Return information about the existence of the scripts in the script cache.",
              "FLUSH [ASYNC|SYNC]",
              "    Flush the Lua scripts cache. Very dangerous on replicas.",
              "    When called without the optional mode argument, the behavior is determined by the",
              "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
              "    * ASYNC: Asynchronously flush the scripts cache.",
              "    * SYNC: Synchronously flush the scripts cache.",
              "KILL",
              "    Kill the currently executing Lua script.",
              "LOAD <script>",
              "    Load a script into the scripts cache without executing it."});
}

}  // namespace

void register_scripting_family(NodeCommandTable& t) {
  const std::vector<std::string> cats = {"@slow", "@scripting"};
  const uint32_t eval_flags = kNoScript | kStale | kSkipMonitor | kNoMandatoryKeys;
  t.add(make_command("eval", -3, eval_flags, cats, eval));
  t.add(make_command("evalsha", -3, eval_flags, cats, evalsha));
  t.add(make_command("eval_ro", -3, kReadonly | eval_flags, cats, eval_ro));
  t.add(make_command("evalsha_ro", -3, kReadonly | eval_flags, cats, evalsha_ro));

  NodeCommand script = make_command("script", -2, 0, {"@slow"}, nullptr);
  add_subcommand(script, make_command("script|exists", -3, kNoScript, cats, script_exists));
  add_subcommand(script, make_command("script|flush", -2, kNoScript, cats, script_flush));
  add_subcommand(script, make_command("script|help", 2, kLoading | kStale, cats, script_help));
  add_subcommand(script, make_command("script|kill", 2, kNoScript | kAllowBusy, cats, script_kill));
  add_subcommand(script, make_command("script|load", 3, kNoScript | kStale, cats, script_load));
  t.add(std::move(script));
}

}  // namespace vigil::node
