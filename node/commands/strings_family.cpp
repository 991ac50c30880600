// String commands: GET SET SETNX SETEX PSETEX MGET MSET MSETNX INCR DECR INCRBY
// DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE GETSET GETDEL GETEX.
// Replies, errors and propagation follow Redis 7.0's t_string.c.
#include <climits>
#include <cmath>
#include <cstring>

#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"

namespace vigil::node {
namespace {

using namespace data;

// Option bits of SET / GETEX (parseExtendedStringArgumentsOrReply).
enum : unsigned {
  kNX = 1, kXX = 2, kGet = 4, kKeepTtl = 8, kPersist = 16,
  kEX = 32, kPX = 64, kEXAT = 128, kPXAT = 256,
};
constexpr unsigned kAnyExpire = kEX | kPX | kEXAT | kPXAT;

enum class OptionsFor { kSet, kGetEx };

// Parses SET/GETEX options from argv[first]. *expire_arg = index of the time.
bool parse_string_options(CommandContext& ctx, size_t first, OptionsFor cmd, unsigned* flags,
                          size_t* expire_arg) {
  auto& argv = ctx.argv;
  for (size_t j = first; j < argv.size(); ++j) {
    const std::string& a = argv[j];
    bool has_next = j + 1 < argv.size();
    unsigned f = *flags;
    if (cmd == OptionsFor::kSet && iequals(a, "nx") && !(f & kXX)) {
      *flags |= kNX;
    } else if (cmd == OptionsFor::kSet && iequals(a, "xx") && !(f & kNX)) {
      *flags |= kXX;
    } else if (cmd == OptionsFor::kSet && iequals(a, "get")) {
      *flags |= kGet;
    } else if (cmd == OptionsFor::kSet && iequals(a, "keepttl") && !(f & (kPersist | kAnyExpire))) {
      *flags |= kKeepTtl;
    } else if (cmd == OptionsFor::kGetEx && iequals(a, "persist") && !(f & (kKeepTtl | kAnyExpire))) {
      *flags |= kPersist;
    } else if (has_next && !(f & (kKeepTtl | kPersist | kAnyExpire)) &&
               (iequals(a, "ex") || iequals(a, "px") || iequals(a, "exat") || iequals(a, "pxat"))) {
      *flags |= iequals(a, "ex") ? kEX : iequals(a, "px") ? kPX : iequals(a, "exat") ? kEXAT : kPXAT;
      *expire_arg = ++j;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

std::string expire_time_error(std::string_view cmd) {
  return "ERR invalid expire time in '" + std::string(cmd) + "' command";
}

// getExpireMillisecondsOrReply: the absolute unix ms the option designates.
bool expire_ms_from_arg(CommandContext& ctx, std::string_view arg, bool seconds, bool relative,
                        std::string_view cmd_name, int64_t* out) {
  long long v;
  if (!parse_int(ctx, arg, &v)) return false;
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
    ctx.reply.error(expire_time_error(cmd_name));
    return false;
  }
  if (seconds) v *= 1000;
  if (relative && __builtin_add_overflow(v, ctx.now_ms, &v)) v = -1;
  if (v <= 0) {
    ctx.reply.error(expire_time_error(cmd_name));
    return false;
  }
  *out = v;
  return true;
}

// GET-style read: replies the value or null. Returns false on WRONGTYPE.
bool reply_get(CommandContext& ctx, const std::string& key) {
  bool wrong;
  Entry* e = lookup_read(ctx, key, ValueType::kString, &wrong);
  if (wrong) return false;
  if (e) {
    ctx.reply.bulk(e->str());
  } else {
    ctx.reply.null_bulk();
  }
  return true;
}

// The body of SET / SETNX / SETEX / PSETEX (setGenericCommand).
void set_generic(CommandContext& ctx, unsigned flags, const std::string& key, const std::string& value,
                 bool has_expire, int64_t when_ms, bool reply_as_integer) {
  if (flags & kGet) {
    if (!reply_get(ctx, key)) return;
  }
  store::Database& db = ctx.db();
  bool found = db.find(key, ctx.now_ms) != nullptr;
  if (((flags & kNX) && found) || ((flags & kXX) && !found)) {
    if (!(flags & kGet)) {
      if (reply_as_integer) {
        ctx.reply.integer(0);
      } else {
        ctx.reply.null_bulk();
      }
    }
    ctx.no_propagate();
    return;
  }
  Entry* e = db.set_string(key, value, flags & kKeepTtl);
  if (has_expire) db.set_expire(e, when_ms);
  ctx.touch(key);
  if (!(flags & kGet)) {
    if (reply_as_integer) {
      ctx.reply.integer(1);
    } else {
      ctx.reply.ok();
    }
  }
  if (has_expire && !(flags & kPXAT)) {
    char buf[24];
    ctx.propagate({"SET", key, value, "PXAT", std::string(format_int(when_ms, buf))});
  } else if ((flags & kGet) && !has_expire) {
    std::vector<std::string> cmd;
    for (size_t i = 0; i < ctx.argv.size(); ++i) {
      if (i >= 3 && iequals(ctx.argv[i], "get")) continue;
      cmd.push_back(ctx.argv[i]);
    }
    ctx.propagate(std::move(cmd));
  }
}

void cmd_set(CommandContext& ctx) {
  unsigned flags = 0;
  size_t expire_arg = 0;
  if (!parse_string_options(ctx, 3, OptionsFor::kSet, &flags, &expire_arg)) return;
  int64_t when = 0;
  bool has_expire = flags & kAnyExpire;
  if (has_expire &&
      !expire_ms_from_arg(ctx, ctx.argv[expire_arg], flags & (kEX | kEXAT), flags & (kEX | kPX), "set", &when)) {
    return;
  }
  set_generic(ctx, flags, ctx.argv[1], ctx.argv[2], has_expire, when, false);
}

void cmd_setnx(CommandContext& ctx) { set_generic(ctx, kNX, ctx.argv[1], ctx.argv[2], false, 0, true); }

void setex_generic(CommandContext& ctx, bool seconds) {
  int64_t when;
  if (!expire_ms_from_arg(ctx, ctx.argv[2], seconds, true, seconds ? "setex" : "psetex", &when)) return;
  set_generic(ctx, seconds ? kEX : kPX, ctx.argv[1], ctx.argv[3], true, when, false);
}

void cmd_get(CommandContext& ctx) { reply_get(ctx, ctx.argv[1]); }

void cmd_mget(CommandContext& ctx) {
  ctx.reply.array(ctx.argv.size() - 1);
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    Entry* e = lookup_read_any(ctx, ctx.argv[i]);
    if (e && e->type() == ValueType::kString) {
      ctx.reply.bulk(e->str());
    } else {
      ctx.reply.null_bulk();
    }
  }
}

void mset_generic(CommandContext& ctx, bool nx) {
  if (ctx.argv.size() % 2 == 0) {
    ctx.reply.error(std::string("ERR wrong number of arguments for '") + (nx ? "msetnx" : "mset") + "' command");
    return;
  }
  store::Database& db = ctx.db();
  if (nx) {
    for (size_t i = 1; i < ctx.argv.size(); i += 2) {
      if (db.find(ctx.argv[i], ctx.now_ms)) {
        ctx.reply.integer(0);
        ctx.no_propagate();
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.argv.size(); i += 2) {
    db.set_string(ctx.argv[i], ctx.argv[i + 1]);
    ctx.touch(ctx.argv[i]);
  }
  if (nx) {
    ctx.reply.integer(1);
  } else {
    ctx.reply.ok();
  }
}

void incr_generic(CommandContext& ctx, long long incr) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  long long value = 0;
  if (e && !util::string2ll(e->str(), &value)) {
    ctx.reply.error(kErrNotInteger);
    return;
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
    ctx.reply.error(kErrOverflow);
    return;
  }
  value += incr;
  char buf[24];
  std::string_view text = format_int(value, buf);
  if (e) {
    ctx.db().update_string(e, text);
  } else {
    ctx.db().set_string(key, text);
  }
  ctx.touch(key);
  ctx.reply.integer(value);
}

void cmd_incr(CommandContext& ctx) { incr_generic(ctx, 1); }
void cmd_decr(CommandContext& ctx) { incr_generic(ctx, -1); }
void cmd_incrby(CommandContext& ctx) {
  long long incr;
  if (parse_int(ctx, ctx.argv[2], &incr)) incr_generic(ctx, incr);
}
void cmd_decrby(CommandContext& ctx) {
  long long incr;
  if (!parse_int(ctx, ctx.argv[2], &incr)) return;
  if (incr == LLONG_MIN) {
    ctx.reply.error("ERR decrement would overflow");
    return;
  }
  incr_generic(ctx, -incr);
}

void cmd_incrbyfloat(CommandContext& ctx) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  long double value = 0, incr;
  if ((e && !parse_long_double(ctx, e->str(), &value)) || !parse_long_double(ctx, ctx.argv[2], &incr)) return;
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = util::ld2string(value, util::LdMode::kHuman);
  if (e) {
    ctx.db().update_string(e, text);
  } else {
    ctx.db().set_string(key, text);
  }
  ctx.touch(key);
  ctx.reply.bulk(text);
  // Replicate the result, never the increment: float formatting must not diverge.
  ctx.propagate({"SET", key, text, "KEEPTTL"});
}

void cmd_append(CommandContext& ctx) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  const std::string& tail = ctx.argv[2];
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.db().set_string(key, tail);
    ctx.touch(key);
    ctx.reply.integer(static_cast<long long>(tail.size()));
    return;
  }
  size_t old_len = e->str().size();
  if (old_len + tail.size() > kMaxStringLength) {
    ctx.reply.error(kErrStringTooLong);
    return;
  }
  char* v = ctx.db().resize_string(e, old_len + tail.size());
  std::memcpy(v + old_len, tail.data(), tail.size());
  ctx.touch(key);
  ctx.reply.integer(static_cast<long long>(old_len + tail.size()));
}

void cmd_strlen(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kString, &wrong);
  if (wrong) return;
  ctx.reply.integer(e ? static_cast<long long>(e->str().size()) : 0);
}

void cmd_getrange(CommandContext& ctx) {
  long long start, end;
  if (!parse_int(ctx, ctx.argv[2], &start) || !parse_int(ctx, ctx.argv[3], &end)) return;
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.bulk("");
    return;
  }
  std::string_view s = e->str();
  long long len = static_cast<long long>(s.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.bulk("");
    return;
  }
  ctx.reply.bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void cmd_setrange(CommandContext& ctx) {
  const std::string& key = ctx.argv[1];
  const std::string& value = ctx.argv[3];
  long long offset;
  if (!parse_int(ctx, ctx.argv[2], &offset)) return;
  if (offset < 0) {
    ctx.reply.error("ERR offset is out of range");
    return;
  }
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  size_t old_len = e ? e->str().size() : 0;
  if (value.empty()) {
    ctx.reply.integer(static_cast<long long>(old_len));
    ctx.no_propagate();
    return;
  }
  if (static_cast<unsigned long long>(offset) + value.size() > kMaxStringLength) {
    ctx.reply.error(kErrStringTooLong);
    return;
  }
  if (!e) e = ctx.db().set_string(key, "");
  size_t new_len = std::max(old_len, static_cast<size_t>(offset) + value.size());
  char* v = ctx.db().resize_string(e, new_len);
  std::memcpy(v + offset, value.data(), value.size());
  ctx.touch(key);
  ctx.reply.integer(static_cast<long long>(new_len));
}

void cmd_getset(CommandContext& ctx) {
  if (!reply_get(ctx, ctx.argv[1])) return;
  ctx.db().set_string(ctx.argv[1], ctx.argv[2]);
  ctx.touch(ctx.argv[1]);
  ctx.propagate({"SET", ctx.argv[1], ctx.argv[2]});
}

void cmd_getdel(CommandContext& ctx) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_read(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.null_bulk();
    ctx.no_propagate();
    return;
  }
  ctx.reply.bulk(e->str());
  ctx.db().remove(e);
  ctx.touch(key);
  ctx.propagate({"DEL", key});
}

void cmd_getex(CommandContext& ctx) {
  unsigned flags = 0;
  size_t expire_arg = 0;
  if (!parse_string_options(ctx, 2, OptionsFor::kGetEx, &flags, &expire_arg)) return;
  int64_t when = 0;
  bool has_expire = flags & kAnyExpire;
  if (has_expire &&
      !expire_ms_from_arg(ctx, ctx.argv[expire_arg], flags & (kEX | kEXAT), flags & (kEX | kPX), "getex", &when)) {
    return;
  }
  const std::string& key = ctx.argv[1];
  bool wrong;
  Entry* e = lookup_read(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.null_bulk();
    ctx.no_propagate();
    return;
  }
  ctx.reply.bulk(e->str());
  store::Database& db = ctx.db();
  char buf[24];
  if ((flags & (kEXAT | kPXAT)) && when <= ctx.now_ms && db.expiry_policy() == store::ExpiryPolicy::kDelete) {
    db.remove(e);
    ctx.touch(key);
    ctx.propagate({"DEL", key});
  } else if (has_expire) {
    db.set_expire(e, when);
    ctx.touch(key);
    ctx.propagate({"PEXPIREAT", key, std::string(format_int(when, buf))});
  } else if ((flags & kPersist) && db.persist(e)) {
    ctx.touch(key);
    ctx.propagate({"PERSIST", key});
  } else {
    ctx.no_propagate();
  }
}

}  // namespace

void register_string_family(NodeCommandTable& t) {
  add_command(t, "get", 2, "readonly,fast", 1, 1, 1, "@read @string @fast", cmd_get);
  add_command(t, "set", -3, "write,denyoom", 1, 1, 1, "@write @string @slow", cmd_set);
  add_command(t, "setnx", 3, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_setnx);
  add_command(t, "setex", 4, "write,denyoom", 1, 1, 1, "@write @string @slow",
              [](CommandContext& c) { setex_generic(c, true); });
  add_command(t, "psetex", 4, "write,denyoom", 1, 1, 1, "@write @string @slow",
              [](CommandContext& c) { setex_generic(c, false); });
  add_command(t, "mget", -2, "readonly,fast", 1, -1, 1, "@read @string @fast", cmd_mget);
  add_command(t, "mset", -3, "write,denyoom", 1, -1, 2, "@write @string @slow",
              [](CommandContext& c) { mset_generic(c, false); });
  add_command(t, "msetnx", -3, "write,denyoom", 1, -1, 2, "@write @string @slow",
              [](CommandContext& c) { mset_generic(c, true); });
  add_command(t, "incr", 2, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_incr);
  add_command(t, "decr", 2, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_decr);
  add_command(t, "incrby", 3, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_incrby);
  add_command(t, "decrby", 3, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_decrby);
  add_command(t, "incrbyfloat", 3, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_incrbyfloat);
  add_command(t, "append", 3, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_append);
  add_command(t, "strlen", 2, "readonly,fast", 1, 1, 1, "@read @string @fast", cmd_strlen);
  add_command(t, "getrange", 4, "readonly", 1, 1, 1, "@read @string @slow", cmd_getrange);
  add_command(t, "substr", 4, "readonly", 1, 1, 1, "@read @string @slow", cmd_getrange);
  add_command(t, "setrange", 4, "write,denyoom", 1, 1, 1, "@write @string @slow", cmd_setrange);
  add_command(t, "getset", 3, "write,denyoom,fast", 1, 1, 1, "@write @string @fast", cmd_getset);
  add_command(t, "getdel", 2, "write,fast", 1, 1, 1, "@write @string @fast", cmd_getdel);
  add_command(t, "getex", -2, "write,fast", 1, 1, 1, "@write @string @fast", cmd_getex);
}

}  // namespace vigil::node
