// Replication commands: REPLICAOF SLAVEOF REPLCONF PSYNC SYNC WAIT FAILOVER. Argument
// checking and Redis's error texts live here; the semantics live in
// node/replication/replication.h.
#include <algorithm>
#include <cctype>

#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/replication/replication.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kAdmin;
using command::kAllowBusy;
using command::kLoading;
using command::kNoMulti;
using command::kNoScript;
using command::kStale;
using replication::Replication;

bool eq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The module, or nullptr after replying an error (no module: unit tests).
Replication* module(CommandContext& ctx) {
  Replication* r = Replication::of(ctx.server);
  if (r == nullptr) ctx.reply.error("ERR replication is not enabled on this server");
  return r;
}

std::string requester(const Client& c) {
  std::string who = "user request from 'id=" + std::to_string(c.id);
  if (c.conn) who += " addr=" + c.conn->peer_addr();
  return who + "'";
}

void replicaof(CommandContext& ctx) {
  Replication* r = module(ctx);
  if (r == nullptr) return;
  if (r->failing_over()) {
    ctx.reply.error("ERR REPLICAOF not allowed while failing over.");
    return;
  }
  if (ctx.client.is_replica) {
    ctx.reply.error("ERR Command is not valid when client is a replica.");
    return;
  }
  const auto& argv = ctx.argv;
  if (eq(argv[1], "no") && eq(argv[2], "one")) {
    r->replicaof_no_one(requester(ctx.client));
    ctx.reply.ok();
    return;
  }
  long long port = 0;
  if (!util::string2ll(argv[2], &port) || port < 0 || port > 65535) {
    ctx.reply.error("ERR Invalid master port");
    return;
  }
  if (r->replicaof(argv[1], static_cast<int>(port), requester(ctx.client))) {
    ctx.reply.ok();
  } else {
    ctx.reply.simple("OK Already connected to specified master");
  }
}

void replconf(CommandContext& ctx) {
  const auto& argv = ctx.argv;
  if (argv.size() % 2 == 0) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  Replication* r = module(ctx);
  if (r == nullptr) return;
  Client& c = ctx.client;
  for (size_t i = 1; i < argv.size(); i += 2) {
    const std::string& opt = argv[i];
    const std::string& val = argv[i + 1];
    if (eq(opt, "listening-port")) {
      long long port = 0;
      if (!util::string2ll(val, &port)) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
      }
      r->set_listening_port(c, static_cast<int>(port));
    } else if (eq(opt, "ip-address")) {
      if (val.size() >= 256) {
        ctx.reply.error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                        std::to_string(val.size()) + " bytes");
        return;
      }
      r->set_announced_ip(c, val);
    } else if (eq(opt, "capa")) {
      std::string capa = val;
      std::transform(capa.begin(), capa.end(), capa.begin(), [](unsigned char ch) { return std::tolower(ch); });
      r->add_capa(c, capa);
    } else if (eq(opt, "ack")) {
      // From a replica link only; never answered.
      long long offset = 0;
      if (c.is_replica && util::string2ll(val, &offset)) r->on_ack(c, offset);
      ctx.no_propagate();
      return;
    } else if (eq(opt, "getack")) {
      // Only meaningful from our master, whose stream the replica link handles.
      return;
    } else if (eq(opt, "rdb-only") || eq(opt, "rdb-filter-only")) {
      // Accepted for redis-cli --rdb / --functions-rdb; every sync sends the whole dataset.
    } else {
      ctx.reply.error("ERR Unrecognized REPLCONF option: " + opt);
      return;
    }
  }
  ctx.reply.ok();
}

void psync(CommandContext& ctx) {
  Replication* r = module(ctx);
  bool failover = ctx.argv.size() > 3 && eq(ctx.argv[3], "failover");
  if (r != nullptr) r->psync(ctx, ctx.argv[1], ctx.argv[2], false, failover);
}

void failover(CommandContext& ctx) {
  if (Replication* r = module(ctx)) r->failover(ctx);
}

void sync(CommandContext& ctx) {
  Replication* r = module(ctx);
  if (r != nullptr) r->psync(ctx, "?", "-1", true);
}

void wait(CommandContext& ctx) {
  long long numreplicas = 0, timeout = 0;
  if (!util::string2ll(ctx.argv[1], &numreplicas)) {
    ctx.reply.error("ERR value is not an integer or out of range");
    return;
  }
  if (!util::string2ll(ctx.argv[2], &timeout)) {
    ctx.reply.error("ERR timeout is not an integer or out of range");
    return;
  }
  if (timeout < 0) {
    ctx.reply.error("ERR timeout is negative");
    return;
  }
  Replication* r = Replication::of(ctx.server);
  if (r == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  r->wait(ctx, numreplicas, timeout);
}

}  // namespace

void register_replication_family(NodeCommandTable& t) {
  const std::vector<std::string> admin_cats = {"@admin", "@slow", "@dangerous"};
  const uint32_t replicaof_flags = kAdmin | kNoScript | kStale;
  t.add(make_command("replicaof", 3, replicaof_flags, admin_cats, replicaof));
  t.add(make_command("slaveof", 3, replicaof_flags, admin_cats, replicaof));
  t.add(make_command("replconf", -1, kAdmin | kNoScript | kLoading | kStale | kAllowBusy, admin_cats, replconf));
  t.add(make_command("psync", -3, kAdmin | kNoScript | kNoMulti, admin_cats, psync));
  t.add(make_command("sync", 1, kAdmin | kNoScript | kNoMulti, admin_cats, sync));
  t.add(make_command("wait", 3, kNoScript, {"@slow", "@connection"}, wait));
  t.add(make_command("failover", -1, kAdmin | kNoScript | kStale, admin_cats, failover));
}

}  // namespace vigil::node
