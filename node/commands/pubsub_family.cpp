// Pub/sub commands: PUBLISH (P)SUBSCRIBE (P)UNSUBSCRIBE PUBSUB.
#include "node/commands/families.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kFast;
using command::kLoading;
using command::kMayReplicate;
using command::kNoScript;
using command::kPubSub;
using command::kStale;

void subscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argv.size(); i++) {
    ctx.server.pubsub().subscribe(ctx.client, ctx.argv[i]);
    PubSub::write_confirmation(ctx.client, "subscribe", &ctx.argv[i]);
  }
}

void psubscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argv.size(); i++) {
    ctx.server.pubsub().psubscribe(ctx.client, ctx.argv[i]);
    PubSub::write_confirmation(ctx.client, "psubscribe", &ctx.argv[i]);
  }
}

// UNSUBSCRIBE / PUNSUBSCRIBE: without arguments, from everything (or a nil
// confirmation when there was nothing).
template <bool kPattern>
void unsubscribe(CommandContext& ctx) {
  PubSub& ps = ctx.server.pubsub();
  Client& c = ctx.client;
  const char* kind = kPattern ? "punsubscribe" : "unsubscribe";
  auto drop = [&](const std::string& name) {
    if (kPattern) {
      ps.punsubscribe(c, name);
    } else {
      ps.unsubscribe(c, name);
    }
    PubSub::write_confirmation(c, kind, &name);
  };
  if (ctx.argv.size() > 1) {
    for (size_t i = 1; i < ctx.argv.size(); i++) drop(ctx.argv[i]);
    return;
  }
  auto& current = kPattern ? c.patterns : c.channels;
  if (current.empty()) {
    PubSub::write_confirmation(c, kind, nullptr);
    return;
  }
  std::vector<std::string> all(current.begin(), current.end());
  for (const auto& name : all) drop(name);
}

void publish(CommandContext& ctx) {
  size_t n = ctx.server.pubsub().publish(ctx.argv[1], ctx.argv[2]);
  ctx.reply.integer(static_cast<int64_t>(n));
  // Redis replicates PUBLISH so subscribers of replicas get it too.
  ctx.propagate(ctx.argv);
}

void pubsub_channels(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.error("ERR wrong number of arguments for 'pubsub|channels' command");
    return;
  }
  const std::string* pattern = ctx.argv.size() == 3 ? &ctx.argv[2] : nullptr;
  auto names = ctx.server.pubsub().active_channels(pattern);
  ctx.reply.array(names.size());
  for (const auto& n : names) ctx.reply.bulk(n);
}

void pubsub_numsub(CommandContext& ctx) {
  ctx.reply.array((ctx.argv.size() - 2) * 2);
  for (size_t i = 2; i < ctx.argv.size(); i++) {
    ctx.reply.bulk(ctx.argv[i]);
    ctx.reply.integer(static_cast<int64_t>(ctx.server.pubsub().subscribers(ctx.argv[i])));
  }
}

void pubsub_numpat(CommandContext& ctx) {
  ctx.reply.integer(static_cast<int64_t>(ctx.server.pubsub().pattern_count()));
}

// Sharded pub/sub is not implemented: no shard channel ever has subscribers.
void pubsub_shardchannels(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.error("ERR wrong number of arguments for 'pubsub|shardchannels' command");
    return;
  }
  ctx.reply.array(0);
}

void pubsub_shardnumsub(CommandContext& ctx) {
  ctx.reply.array((ctx.argv.size() - 2) * 2);
  for (size_t i = 2; i < ctx.argv.size(); i++) {
    ctx.reply.bulk(ctx.argv[i]);
    ctx.reply.integer(0);
  }
}

void pubsub_help(CommandContext& ctx) {
  write_help(ctx.reply, "PUBSUB",
             {"CHANNELS [<pattern>]",
              "    Return the currently active channels matching a <pattern> (default: '*').",
              "NUMPAT", "    Return number of subscriptions to patterns.",
              "NUMSUB [<channel> ...]",
              "    Return the number of subscribers for the specified channels, excluding",
              "    pattern subscriptions(default: no channels).",
              "SHARDCHANNELS [<pattern>]",
              "    Return the currently active shard level channels matching a <pattern> (default: '*').",
              "SHARDNUMSUB [<shardchannel> ...]",
              "    Return the number of subscribers for the specified shard level channel(s)"});
}

}  // namespace

void register_pubsub_family(NodeCommandTable& t) {
  const uint32_t sub_flags = kPubSub | kNoScript | kLoading | kStale;
  const std::vector<std::string> cats = {"@pubsub", "@slow"};
  t.add(make_command("publish", 3, kPubSub | kLoading | kStale | kFast | kMayReplicate,
                     {"@pubsub", "@fast"}, publish));
  t.add(make_command("subscribe", -2, sub_flags, cats, subscribe));
  t.add(make_command("unsubscribe", -1, sub_flags, cats, unsubscribe<false>));
  t.add(make_command("psubscribe", -2, sub_flags, cats, psubscribe));
  t.add(make_command("punsubscribe", -1, sub_flags, cats, unsubscribe<true>));

  NodeCommand pubsub = make_command("pubsub", -2, 0, {"@slow"}, nullptr);
  const uint32_t q = kPubSub | kLoading | kStale;
  add_subcommand(pubsub, make_command("pubsub|channels", -2, q, cats, pubsub_channels));
  add_subcommand(pubsub, make_command("pubsub|numsub", -2, q, cats, pubsub_numsub));
  add_subcommand(pubsub, make_command("pubsub|numpat", 2, q, cats, pubsub_numpat));
  add_subcommand(pubsub, make_command("pubsub|shardchannels", -2, q, cats, pubsub_shardchannels));
  add_subcommand(pubsub, make_command("pubsub|shardnumsub", -2, q, cats, pubsub_shardnumsub));
  add_subcommand(pubsub, make_command("pubsub|help", 2, kLoading | kStale, {"@slow"}, pubsub_help));
  t.add(std::move(pubsub));
}

}  // namespace vigil::node
