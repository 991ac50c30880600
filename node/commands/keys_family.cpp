// Generic keyspace commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME
// RENAMENX EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME
// PERSIST COPY MOVE TOUCH OBJECT. Behaviour follows Redis 7.0's db.c / expire.c.
#include <cerrno>
#include <cctype>
#include <climits>
#include <cstdlib>

#include "common/util/glob.h"
#include "node/commands/families.h"
#include "node/commands/keys_family_scan.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;

// Blocked BLPOP/BZPOPMIN clients wait for list/zset keys to appear, however
// they appear (RENAME, COPY, MOVE too, as Redis's dbAdd signals).
void signal_if_poppable(CommandContext& ctx, const Entry* e, int db_index) {
  if (e->type() == ValueType::kList || e->type() == ValueType::kZSet) {
    ctx.server.signal_key_ready(db_index, std::string(e->key()));
  }
}

void del_generic(CommandContext& ctx) {
  long long deleted = 0;
  store::Database& db = ctx.db();
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    // find() first so an expired key is expired (and propagated) rather than deleted.
    Entry* e = db.find(ctx.argv[i], ctx.now_ms);
    if (!e) continue;
    db.remove(e);
    ctx.touch(ctx.argv[i]);
    ++deleted;
  }
  if (deleted == 0) ctx.no_propagate();
  ctx.reply.integer(deleted);
}

void cmd_exists(CommandContext& ctx) {
  long long n = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i)
    if (lookup_read_any(ctx, ctx.argv[i])) ++n;
  ctx.reply.integer(n);
}

void cmd_touch(CommandContext& ctx) {
  long long n = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i)
    if (ctx.db().find(ctx.argv[i], ctx.now_ms)) ++n;
  ctx.reply.integer(n);
}

void cmd_type(CommandContext& ctx) {
  Entry* e = lookup_read_any(ctx, ctx.argv[1]);
  ctx.reply.simple(e ? store::type_name(e->type()) : "none");
}

void cmd_keys(CommandContext& ctx) {
  const std::string& pattern = ctx.argv[1];
  bool all = pattern == "*";
  store::Database& db = ctx.db();
  std::vector<std::string_view> keys;
  db.for_each([&](const Entry& e, int64_t expire) {
    if (expire >= 0 && expire <= ctx.now_ms && db.expiry_policy() != store::ExpiryPolicy::kIgnore) return;
    if (all || util::stringmatchlen(pattern, e.key())) keys.push_back(e.key());
  });
  ctx.reply.array(keys.size());
  for (auto k : keys) ctx.reply.bulk(k);
}

void cmd_scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!parse_scan_cursor(ctx, ctx.argv[1], &cursor)) return;
  ScanOptions opt;
  if (!parse_scan_options(ctx, 2, /*allow_type=*/true, &opt)) return;
  store::Database& db = ctx.db();
  std::vector<std::string> keys;
  cursor = scan_steps(
      cursor, opt, [&](uint64_t c) { return db.scan(c, [&](const Entry& e) { keys.emplace_back(e.key()); }); },
      [&] { return keys.size(); });
  std::vector<std::string> out;
  for (auto& k : keys) {
    if (opt.pattern && !util::stringmatchlen(*opt.pattern, k)) continue;
    // Expired keys are expired now (and dropped from the reply), as Redis does.
    Entry* e = db.find(k, ctx.now_ms);
    if (!e) continue;
    if (opt.type && !iequals(*opt.type, store::type_name(e->type()))) continue;
    out.push_back(std::move(k));
  }
  reply_scan_cursor(ctx, cursor);
  ctx.reply.array(out.size());
  for (auto& k : out) ctx.reply.bulk(k);
}

void cmd_randomkey(CommandContext& ctx) {
  auto key = ctx.db().random_key(ctx.now_ms);
  if (key) {
    ctx.reply.bulk(*key);
  } else {
    ctx.reply.null_bulk();
  }
}

void rename_generic(CommandContext& ctx, bool nx) {
  const std::string& src = ctx.argv[1];
  const std::string& dst = ctx.argv[2];
  store::Database& db = ctx.db();
  Entry* e = db.find(src, ctx.now_ms);
  if (!e) {
    ctx.reply.error(kErrNoSuchKey);
    return;
  }
  if (src == dst) {
    if (nx) ctx.reply.integer(0); else ctx.reply.ok();
    ctx.no_propagate();
    return;
  }
  if (db.find(dst, ctx.now_ms)) {
    if (nx) {
      ctx.reply.integer(0);
      ctx.no_propagate();
      return;
    }
  }
  signal_if_poppable(ctx, db.rename(e, dst), ctx.client.db);
  ctx.touch(src);
  ctx.touch(dst);
  if (nx) ctx.reply.integer(1); else ctx.reply.ok();
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT (expireGenericCommand).
void expire_generic(CommandContext& ctx, bool relative, bool seconds) {
  enum { kNX = 1, kXX = 2, kGT = 4, kLT = 8 };
  int flags = 0;
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    const std::string& o = ctx.argv[j];
    if (iequals(o, "nx")) flags |= kNX;
    else if (iequals(o, "xx")) flags |= kXX;
    else if (iequals(o, "gt")) flags |= kGT;
    else if (iequals(o, "lt")) flags |= kLT;
    else {
      ctx.reply.error("ERR Unsupported option " + o);
      return;
    }
  }
  if ((flags & kNX) && (flags & (kXX | kGT | kLT))) {
    ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if ((flags & kGT) && (flags & kLT)) {
    ctx.reply.error("ERR GT and LT options at the same time are not compatible");
    return;
  }
  long long when;
  if (!parse_int(ctx, ctx.argv[2], &when)) return;
  std::string name = ctx.argv[0];
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string time_error = "ERR invalid expire time in '" + name + "' command";
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
      ctx.reply.error(time_error);
      return;
    }
    when *= 1000;
  }
  long long base = relative ? ctx.now_ms : 0;
  if (when > LLONG_MAX - base) {
    ctx.reply.error(time_error);
    return;
  }
  when += base;
  const std::string& key = ctx.argv[1];
  store::Database& db = ctx.db();
  Entry* e = db.find(key, ctx.now_ms);
  auto unchanged = [&] {
    ctx.reply.integer(0);
    ctx.no_propagate();
  };
  if (!e) return unchanged();
  if (flags) {
    int64_t current = db.expire_at(e);
    if ((flags & kNX) && current != -1) return unchanged();
    if ((flags & kXX) && current == -1) return unchanged();
    if ((flags & kGT) && (when <= current || current == -1)) return unchanged();
    if ((flags & kLT) && current != -1 && when >= current) return unchanged();
  }
  if (when <= ctx.now_ms && db.expiry_policy() == store::ExpiryPolicy::kDelete) {
    db.remove(e);
    ctx.touch(key);
    ctx.reply.integer(1);
    ctx.propagate({"DEL", key});
    return;
  }
  db.set_expire(e, when);
  ctx.touch(key);
  ctx.reply.integer(1);
  std::vector<std::string> cmd = ctx.argv;
  cmd[0] = "PEXPIREAT";
  char buf[24];
  cmd[2] = std::string(format_int(when, buf));
  ctx.propagate(std::move(cmd));
}

// TTL / PTTL / EXPIRETIME / PEXPIRETIME.
void ttl_generic(CommandContext& ctx, bool ms, bool absolute) {
  Entry* e = lookup_read_any(ctx, ctx.argv[1]);
  if (!e) {
    ctx.reply.integer(-2);
    return;
  }
  int64_t when = ctx.db().expire_at(e);
  if (when < 0) {
    ctx.reply.integer(-1);
    return;
  }
  int64_t v = absolute ? when : std::max<int64_t>(when - ctx.now_ms, 0);
  ctx.reply.integer(ms ? v : (v + 500) / 1000);
}

void cmd_persist(CommandContext& ctx) {
  Entry* e = ctx.db().find(ctx.argv[1], ctx.now_ms);
  if (e && ctx.db().persist(e)) {
    ctx.touch(ctx.argv[1]);
    ctx.reply.integer(1);
  } else {
    ctx.reply.integer(0);
    ctx.no_propagate();
  }
}

// Parses a database index argument; replies the Redis error on failure.
bool parse_db_index(CommandContext& ctx, const std::string& arg, int* out) {
  long long v;
  if (!parse_int(ctx, arg, &v)) return false;
  if (v < INT_MIN || v > INT_MAX) {
    ctx.reply.error(kErrNotInteger);
    return false;
  }
  if (v < 0 || v >= ctx.server.database_count()) {
    ctx.reply.error("ERR DB index is out of range");
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

void cmd_copy(CommandContext& ctx) {
  bool replace = false;
  int dst_index = ctx.client.db;
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    if (iequals(ctx.argv[j], "replace")) {
      replace = true;
    } else if (iequals(ctx.argv[j], "db") && j + 1 < ctx.argv.size()) {
      if (!parse_db_index(ctx, ctx.argv[j + 1], &dst_index)) return;
      ++j;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  const std::string& src = ctx.argv[1];
  const std::string& dst = ctx.argv[2];
  if (dst_index == ctx.client.db && src == dst) {
    ctx.reply.error("ERR source and destination objects are the same");
    return;
  }
  auto unchanged = [&] {
    ctx.reply.integer(0);
    ctx.no_propagate();
  };
  Entry* e = lookup_read_any(ctx, src);
  if (!e) return unchanged();
  store::Database& dst_db = ctx.server.db(dst_index);
  if (dst_db.find(dst, ctx.now_ms) && !replace) return unchanged();
  signal_if_poppable(ctx, ctx.db().copy_to(e, dst_db, dst), dst_index);
  ctx.touch(dst, dst_index);
  ctx.reply.integer(1);
}

void cmd_move(CommandContext& ctx) {
  int dst_index;
  if (!parse_db_index(ctx, ctx.argv[2], &dst_index)) return;
  if (dst_index == ctx.client.db) {
    ctx.reply.error("ERR source and destination objects are the same");
    return;
  }
  auto unchanged = [&] {
    ctx.reply.integer(0);
    ctx.no_propagate();
  };
  const std::string& key = ctx.argv[1];
  Entry* e = ctx.db().find(key, ctx.now_ms);
  if (!e) return unchanged();
  store::Database& dst_db = ctx.server.db(dst_index);
  if (dst_db.find(key, ctx.now_ms)) return unchanged();
  signal_if_poppable(ctx, ctx.db().move_to(e, dst_db), dst_index);
  ctx.touch(key);
  ctx.touch(key, dst_index);
  ctx.reply.integer(1);
}

void cmd_object_encoding(CommandContext& ctx) {
  Entry* e = ctx.db().find(ctx.argv[2], ctx.now_ms);
  if (e) {
    ctx.reply.bulk(e->encoding());
  } else {
    ctx.reply.null_bulk();
  }
}

void cmd_object_refcount(CommandContext& ctx) {
  Entry* e = ctx.db().find(ctx.argv[2], ctx.now_ms);
  if (e) {
    ctx.reply.integer(1);  // values are never shared between keys here
  } else {
    ctx.reply.null_bulk();
  }
}

void cmd_object_help(CommandContext& ctx) {
  write_help(ctx.reply, "OBJECT",
             {"ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
              "    associated with a <key>.",
              "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
              "    <key>."});
}

}  // namespace

void register_key_family(NodeCommandTable& t) {
  add_command(t, "del", -2, "write", 1, -1, 1, "@keyspace @write @slow", del_generic);
  add_command(t, "unlink", -2, "write,fast", 1, -1, 1, "@keyspace @write @fast", del_generic);
  add_command(t, "exists", -2, "readonly,fast", 1, -1, 1, "@keyspace @read @fast", cmd_exists);
  add_command(t, "type", 2, "readonly,fast", 1, 1, 1, "@keyspace @read @fast", cmd_type);
  add_command(t, "keys", 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous", cmd_keys);
  add_command(t, "scan", -2, "readonly", 0, 0, 0, "@keyspace @read @slow", cmd_scan);
  add_command(t, "randomkey", 1, "readonly", 0, 0, 0, "@keyspace @read @slow", cmd_randomkey);
  add_command(t, "rename", 3, "write", 1, 2, 1, "@keyspace @write @slow",
              [](CommandContext& c) { rename_generic(c, false); });
  add_command(t, "renamenx", 3, "write,fast", 1, 2, 1, "@keyspace @write @fast",
              [](CommandContext& c) { rename_generic(c, true); });
  add_command(t, "expire", -3, "write,fast", 1, 1, 1, "@keyspace @write @fast",
              [](CommandContext& c) { expire_generic(c, true, true); });
  add_command(t, "pexpire", -3, "write,fast", 1, 1, 1, "@keyspace @write @fast",
              [](CommandContext& c) { expire_generic(c, true, false); });
  add_command(t, "expireat", -3, "write,fast", 1, 1, 1, "@keyspace @write @fast",
              [](CommandContext& c) { expire_generic(c, false, true); });
  add_command(t, "pexpireat", -3, "write,fast", 1, 1, 1, "@keyspace @write @fast",
              [](CommandContext& c) { expire_generic(c, false, false); });
  add_command(t, "ttl", 2, "readonly,fast", 1, 1, 1, "@keyspace @read @fast",
              [](CommandContext& c) { ttl_generic(c, false, false); });
  add_command(t, "pttl", 2, "readonly,fast", 1, 1, 1, "@keyspace @read @fast",
              [](CommandContext& c) { ttl_generic(c, true, false); });
  add_command(t, "expiretime", 2, "readonly,fast", 1, 1, 1, "@keyspace @read @fast",
              [](CommandContext& c) { ttl_generic(c, false, true); });
  add_command(t, "pexpiretime", 2, "readonly,fast", 1, 1, 1, "@keyspace @read @fast",
              [](CommandContext& c) { ttl_generic(c, true, true); });
  add_command(t, "persist", 2, "write,fast", 1, 1, 1, "@keyspace @write @fast", cmd_persist);
  add_command(t, "copy", -3, "write,denyoom", 1, 2, 1, "@keyspace @write @slow", cmd_copy);
  add_command(t, "move", 3, "write,fast", 1, 1, 1, "@keyspace @write @fast", cmd_move);
  add_command(t, "touch", -2, "readonly,fast", 1, -1, 1, "@keyspace @read @fast", cmd_touch);

  NodeCommand object = make_command("object", -2, 0, {"@slow"}, nullptr);
  add_subcommand(object, make_command("object|encoding", 3, command::kReadonly,
                                      {"@keyspace", "@read", "@slow"}, cmd_object_encoding, 2, 2, 1));
  add_subcommand(object, make_command("object|refcount", 3, command::kReadonly,
                                      {"@keyspace", "@read", "@slow"}, cmd_object_refcount, 2, 2, 1));
  add_subcommand(object, make_command("object|help", 2, command::kLoading | command::kStale,
                                      {"@keyspace", "@slow"}, cmd_object_help));
  t.add(std::move(object));
}

}  // namespace vigil::node
