// Transactions: MULTI EXEC DISCARD WATCH UNWATCH. Queueing itself happens in
// the dispatcher (NodeServer::process_command).
#include "node/commands/families.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kAllowBusy;
using command::kFast;
using command::kLoading;
using command::kNoScript;
using command::kSkipSlowlog;
using command::kStale;

void multi(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.in_multi = true;
  ctx.reply.ok();
}

void exec(CommandContext& ctx) { ctx.server.exec_transaction(ctx); }

void discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.error("ERR DISCARD without MULTI");
    return;
  }
  ctx.server.discard_transaction(ctx.client);
  ctx.reply.ok();
}

void watch(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  for (size_t i = 1; i < ctx.argv.size(); i++) ctx.server.watch(ctx.client, ctx.argv[i]);
  ctx.reply.ok();
}

void unwatch(CommandContext& ctx) {
  ctx.server.unwatch_all(ctx.client);
  ctx.reply.ok();
}

}  // namespace

void register_transactions_family(NodeCommandTable& t) {
  const uint32_t f = kNoScript | kLoading | kStale | kFast | kAllowBusy;
  const std::vector<std::string> fast = {"@fast", "@transaction"};
  t.add(make_command("multi", 1, f, fast, multi));
  t.add(make_command("exec", 1, kNoScript | kLoading | kStale | kSkipSlowlog, {"@slow", "@transaction"}, exec));
  t.add(make_command("discard", 1, f, fast, discard));
  t.add(make_command("watch", -2, f, fast, watch, 1, -1, 1));
  t.add(make_command("unwatch", 1, f, fast, unwatch));
}

}  // namespace vigil::node
