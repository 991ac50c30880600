// Persistence commands: SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF. The work is
// done by node/persistence/persistence.h; these handlers only parse and reply
// with Redis 7.0's texts. (LASTSAVE is in the server family: it reads
// NodeServer::lastsave_s, which Persistence updates.)
#include <strings.h>

#include "node/commands/families.h"
#include "node/persistence/persistence.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using persistence::Persistence;

Persistence* persistence_or_error(CommandContext& ctx) {
  Persistence* p = ctx.server.persistence;
  if (!p) ctx.reply.error("ERR persistence is not available on this server");
  return p;
}

void save(CommandContext& ctx) {
  Persistence* p = persistence_or_error(ctx);
  if (!p) return;
  std::string err = p->save_now();
  if (err.empty()) {
    ctx.reply.ok();
  } else {
    ctx.reply.error(err);
  }
}

void bgsave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argv.size() > 1) {
    if (ctx.argv.size() == 2 && strcasecmp(ctx.argv[1].c_str(), "schedule") == 0) {
      schedule = true;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  Persistence* p = persistence_or_error(ctx);
  if (!p) return;
  bool is_error = false;
  std::string text = p->bgsave(schedule, &is_error);
  if (is_error) {
    ctx.reply.error(text);
  } else {
    ctx.reply.simple(text);
  }
}

void bgrewriteaof(CommandContext& ctx) {
  Persistence* p = persistence_or_error(ctx);
  if (!p) return;
  bool is_error = false;
  std::string text = p->bgrewriteaof(&is_error);
  if (is_error) {
    ctx.reply.error(text);
  } else {
    ctx.reply.simple(text);
  }
}

}  // namespace

void register_persistence_family(NodeCommandTable& t) {
  using command::kAdmin;
  using command::kNoMulti;
  using command::kNoScript;
  const std::vector<std::string> categories = {"@admin", "@slow", "@dangerous"};
  t.add(make_command("save", 1, kAdmin | kNoScript | kNoMulti, categories, save));
  t.add(make_command("bgsave", -1, kAdmin | kNoScript, categories, bgsave));
  t.add(make_command("bgrewriteaof", 1, kAdmin | kNoScript, categories, bgrewriteaof));
}

}  // namespace vigil::node
