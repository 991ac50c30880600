// SWAPDB index1 index2, as Redis 7.0's swapdbCommand / dbSwapDatabases: the
// two keyspaces trade places while clients stay on their database index, so
// WATCHers and blocked clients of both indexes must be told.
#include <climits>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;

// getIntFromObjectOrReply with a custom message: anything that is not an int
// (including out-of-int-range numbers) gets "ERR <message>".
bool parse_swap_index(CommandContext& ctx, const std::string& arg, std::string_view error, int* out) {
  long long v;
  if (!parse_int(ctx, arg, &v, error)) return false;
  if (v < INT_MIN || v > INT_MAX) {
    ctx.reply.error(error);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// Redis's scanDatabaseForReadyKeys: a client blocked on a key of db that now
// holds a poppable value is served after this command.
void signal_blocked_keys(CommandContext& ctx, int db_index) {
  store::Database& db = ctx.server.db(db_index);
  for (Client* c : ctx.server.clients()) {
    if (!c->block || c->block->db != db_index) continue;
    for (const std::string& key : c->block->keys) {
      const Entry* e = db.find_raw(key);
      if (e && (e->type() == ValueType::kList || e->type() == ValueType::kZSet))
        ctx.server.signal_key_ready(db_index, key);
    }
  }
}

void cmd_swapdb(CommandContext& ctx) {
  int first, second;
  if (!parse_swap_index(ctx, ctx.argv[1], "ERR invalid first DB index", &first)) return;
  if (!parse_swap_index(ctx, ctx.argv[2], "ERR invalid second DB index", &second)) return;
  int count = ctx.server.database_count();
  if (first < 0 || first >= count || second < 0 || second >= count) {
    ctx.reply.error("ERR DB index is out of range");
    return;
  }
  if (first != second) {
    // A WATCHed key is touched when it exists on either side of the swap
    // (touchAllWatchedKeysInDb(db1, db2) and the reverse): before the swap
    // catches keys existing in their own db, after it the incoming ones.
    ctx.server.touch_all_watched(first);
    ctx.server.touch_all_watched(second);
    ctx.server.db(first).swap_contents(ctx.server.db(second));
    ctx.server.touch_all_watched(first);
    ctx.server.touch_all_watched(second);
    signal_blocked_keys(ctx, first);
    signal_blocked_keys(ctx, second);
  }
  // Propagated verbatim, even when both indexes are the same (Redis bumps dirty).
  ctx.reply.ok();
}

}  // namespace

void register_swapdb_command(NodeCommandTable& t) {
  add_command(t, "swapdb", 3, "write,fast", 0, 0, 0, "@keyspace @write @fast @dangerous", cmd_swapdb);
}

}  // namespace vigil::node
