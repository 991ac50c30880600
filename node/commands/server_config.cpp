// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the common config registry.
#include "common/config/rewrite.h"
#include "node/commands/families.h"
#include "node/commands/server_family.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kAdmin;
using command::kLoading;
using command::kNoScript;
using command::kStale;

void config_get(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.argv.begin() + 2, ctx.argv.end());
  auto pairs = ctx.server.config_registry().config_get(patterns);
  ctx.reply.map(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

void config_set(CommandContext& ctx) {
  if ((ctx.argv.size() - 2) % 2 != 0) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  std::vector<std::string> name_values(ctx.argv.begin() + 2, ctx.argv.end());
  std::string err = ctx.server.config_registry().config_set(name_values);
  if (!err.empty()) {
    ctx.reply.error(err);
    return;
  }
  ctx.reply.ok();
}

void config_resetstat(CommandContext& ctx) {
  ctx.server.reset_stats();
  ctx.reply.ok();
}

void config_rewrite(CommandContext& ctx) {
  NodeConfig& cfg = ctx.server.config();
  if (cfg.config_file.empty()) {
    ctx.reply.error("ERR The server is running without a config file");
    return;
  }
  if (cfg.config_is_yaml) {
    // The YAML file belongs to the operator (DESIGN §4): never rewritten.
    ctx.reply.error("ERR CONFIG REWRITE is not supported with a YAML configuration file");
    return;
  }
  config::ConfigRegistry& reg = ctx.server.config_registry();
  std::string err;
  bool ok = config::rewrite_config_file(
      cfg.config_file, [&reg](std::string_view n) { return reg.knows(n); },
      [&reg](std::string_view n) { return reg.canonical(n); }, false,
      [&reg](config::ConfigRewriter& rw) { reg.rewrite(rw); }, &err);
  if (!ok) {
    ctx.reply.error("ERR Rewriting config file: " + err);
    return;
  }
  ctx.reply.ok();
}

void config_help(CommandContext& ctx) {
  write_help(ctx.reply, "CONFIG",
             {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
              "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
              "    Reset statistics reported by the INFO command.", "REWRITE",
              "    Rewrite the configuration file."});
}

}  // namespace

void register_config_command(NodeCommandTable& t) {
  const std::vector<std::string> cats = {"@admin", "@slow", "@dangerous"};
  const uint32_t f = kAdmin | kNoScript | kLoading | kStale;
  NodeCommand config = make_command("config", -2, 0, {"@slow"}, nullptr);
  add_subcommand(config, make_command("config|get", -3, f, cats, config_get));
  add_subcommand(config, make_command("config|set", -4, f, cats, config_set));
  add_subcommand(config, make_command("config|resetstat", 2, f, cats, config_resetstat));
  add_subcommand(config, make_command("config|rewrite", 2, f, cats, config_rewrite));
  add_subcommand(config, make_command("config|help", 2, kLoading | kStale, {"@slow"}, config_help));
  t.add(std::move(config));
}

}  // namespace vigil::node
