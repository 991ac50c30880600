// Hash commands: HSET HSETNX HGET HMSET HMGET HDEL HGETALL HKEYS HVALS HLEN
// HEXISTS HINCRBY HINCRBYFLOAT HSTRLEN HSCAN HRANDFIELD (Redis 7.0 t_hash.c).
#include <algorithm>
#include <climits>
#include <cmath>
#include <unordered_set>

#include "common/util/glob.h"
#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/commands/keys_family_scan.h"
#include "node/commands/keys_family_shared.h"
#include "node/store/hashing.h"

namespace vigil::node {
namespace {

using namespace data;
using store::Hash;

// The hash at key, created when missing. nullptr after a WRONGTYPE reply.
Entry* hash_for_write(CommandContext& ctx, const std::string& key) {
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kHash, &wrong);
  if (wrong) return nullptr;
  if (!e) e = ctx.db().add_hash(key);
  return e;
}

void hset_generic(CommandContext& ctx, bool reply_ok) {
  if (ctx.argv.size() % 2 == 1) {
    ctx.reply.error(std::string("ERR wrong number of arguments for '") + (reply_ok ? "hmset" : "hset") + "' command");
    return;
  }
  Entry* e = hash_for_write(ctx, ctx.argv[1]);
  if (!e) return;
  long long created = 0;
  Hash& h = e->hash();
  for (size_t i = 2; i < ctx.argv.size(); i += 2) created += h.set(ctx.argv[i], ctx.argv[i + 1]);
  ctx.touch(ctx.argv[1]);
  if (reply_ok) ctx.reply.ok(); else ctx.reply.integer(created);
}

void cmd_hsetnx(CommandContext& ctx) {
  Entry* e = hash_for_write(ctx, ctx.argv[1]);
  if (!e) return;
  Hash& h = e->hash();
  if (h.contains(ctx.argv[2])) {
    ctx.reply.integer(0);
    ctx.no_propagate();
    return;
  }
  h.set(ctx.argv[2], ctx.argv[3]);
  ctx.touch(ctx.argv[1]);
  ctx.reply.integer(1);
}

void cmd_hget(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  const std::string* v = e ? e->hash().get(ctx.argv[2]) : nullptr;
  if (v) ctx.reply.bulk(*v); else ctx.reply.null_bulk();
}

void cmd_hmget(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const std::string* v = e ? e->hash().get(ctx.argv[i]) : nullptr;
    if (v) ctx.reply.bulk(*v); else ctx.reply.null_bulk();
  }
}

void cmd_hdel(CommandContext& ctx) { remove_members(ctx, &Entry::hash); }

enum class HashPart { kKeys, kValues, kBoth };

void hgetall_generic(CommandContext& ctx, HashPart part) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  size_t n = e ? e->hash().size() : 0;
  if (part == HashPart::kBoth) ctx.reply.map(n); else ctx.reply.array(n);
  if (!e) return;
  e->hash().for_each([&](std::string_view f, std::string_view v) {
    if (part != HashPart::kValues) ctx.reply.bulk(f);
    if (part != HashPart::kKeys) ctx.reply.bulk(v);
  });
}

void cmd_hlen(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  ctx.reply.integer(e ? static_cast<long long>(e->hash().size()) : 0);
}

void cmd_hexists(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  ctx.reply.integer(e && e->hash().contains(ctx.argv[2]) ? 1 : 0);
}

void cmd_hstrlen(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  const std::string* v = e ? e->hash().get(ctx.argv[2]) : nullptr;
  ctx.reply.integer(v ? static_cast<long long>(v->size()) : 0);
}

void cmd_hincrby(CommandContext& ctx) {
  long long incr;
  if (!parse_int(ctx, ctx.argv[3], &incr)) return;
  Entry* e = hash_for_write(ctx, ctx.argv[1]);
  if (!e) return;
  long long value = 0;
  if (const std::string* cur = e->hash().get(ctx.argv[2])) {
    if (!util::string2ll(*cur, &value)) {
      ctx.reply.error("ERR hash value is not an integer");
      return;
    }
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
    ctx.reply.error(kErrOverflow);
    return;
  }
  value += incr;
  char buf[24];
  e->hash().set(ctx.argv[2], format_int(value, buf));
  ctx.touch(ctx.argv[1]);
  ctx.reply.integer(value);
}

void cmd_hincrbyfloat(CommandContext& ctx) {
  long double incr;
  if (!parse_long_double(ctx, ctx.argv[3], &incr)) return;
  if (std::isnan(incr) || std::isinf(incr)) {
    ctx.reply.error("ERR value is NaN or Infinity");
    return;
  }
  Entry* e = hash_for_write(ctx, ctx.argv[1]);
  if (!e) return;
  long double value = 0;
  if (const std::string* cur = e->hash().get(ctx.argv[2])) {
    if (!util::string2ld(*cur, &value)) {
      ctx.reply.error("ERR hash value is not a float");
      return;
    }
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = util::ld2string(value, util::LdMode::kHuman);
  e->hash().set(ctx.argv[2], text);
  ctx.touch(ctx.argv[1]);
  ctx.reply.bulk(text);
  ctx.propagate({"HSET", ctx.argv[1], ctx.argv[2], text});
}

void cmd_hscan(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions opt;
  Entry* e = scan_container_begin(ctx, ValueType::kHash, &cursor, &opt);
  if (!e) return;
  std::vector<std::pair<std::string, std::string>> items;
  auto collect = [&](std::string_view f, std::string_view v) {
    if (scan_matches(opt, f)) items.emplace_back(f, v);
  };
  cursor = scan_steps(
      cursor, opt, [&](uint64_t c) { return e->hash().scan(c, collect); }, [&] { return items.size(); });
  reply_scan_cursor(ctx, cursor);
  ctx.reply.array(items.size() * 2);
  for (auto& [f, v] : items) {
    ctx.reply.bulk(f);
    ctx.reply.bulk(v);
  }
}

void cmd_hrandfield(CommandContext& ctx) {
  if (ctx.argv.size() == 2) {
    bool wrong;
    Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
    if (wrong) return;
    if (!e) {
      ctx.reply.null_bulk();
      return;
    }
    ctx.reply.bulk(e->hash().random_pair().first);
    return;
  }
  long long count;
  if (!parse_int(ctx, ctx.argv[2], &count)) return;
  if (count == LLONG_MIN) {
    ctx.reply.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  bool with_values = false;
  if (ctx.argv.size() > 4 || (ctx.argv.size() == 4 && !iequals(ctx.argv[3], "withvalues"))) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  with_values = ctx.argv.size() == 4;
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kHash, &wrong);
  if (wrong) return;
  if (!e || count == 0) {
    ctx.reply.array(0);
    return;
  }
  Hash& h = e->hash();
  const bool resp3 = ctx.reply.protocol() >= 3;
  auto reply_header = [&](size_t n) {
    if (with_values && !resp3) ctx.reply.array(n * 2); else ctx.reply.array(n);
  };
  auto reply_pair = [&](std::string_view f, std::string_view v) {
    if (with_values && resp3) ctx.reply.array(2);
    ctx.reply.bulk(f);
    if (with_values) ctx.reply.bulk(v);
  };
  bool unique = count > 0;
  size_t n = static_cast<size_t>(count > 0 ? count : -count);
  if (!unique || n == 1) {
    reply_header(n);
    for (size_t i = 0; i < n; ++i) {
      auto [f, v] = h.random_pair();
      reply_pair(f, v);
    }
    return;
  }
  if (n >= h.size()) {
    reply_header(h.size());
    h.for_each(reply_pair);
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> picked;
  if (n * 3 > h.size()) {
    // Many of them: shuffle a copy and keep the first n.
    h.for_each([&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
    for (size_t i = 0; i < n; ++i) {
      size_t j = i + store::random_u64() % (picked.size() - i);
      std::swap(picked[i], picked[j]);
    }
    picked.resize(n);
  } else {
    std::unordered_set<std::string_view> seen;
    while (picked.size() < n) {
      auto p = h.random_pair();
      if (seen.insert(p.first).second) picked.push_back(p);
    }
  }
  reply_header(n);
  for (auto& [f, v] : picked) reply_pair(f, v);
}

}  // namespace

void register_hash_family(NodeCommandTable& t) {
  add_command(t, "hset", -4, "write,denyoom,fast", 1, 1, 1, "@write @hash @fast",
              [](CommandContext& c) { hset_generic(c, false); });
  add_command(t, "hmset", -4, "write,denyoom,fast", 1, 1, 1, "@write @hash @fast",
              [](CommandContext& c) { hset_generic(c, true); });
  add_command(t, "hsetnx", 4, "write,denyoom,fast", 1, 1, 1, "@write @hash @fast", cmd_hsetnx);
  add_command(t, "hget", 3, "readonly,fast", 1, 1, 1, "@read @hash @fast", cmd_hget);
  add_command(t, "hmget", -3, "readonly,fast", 1, 1, 1, "@read @hash @fast", cmd_hmget);
  add_command(t, "hdel", -3, "write,fast", 1, 1, 1, "@write @hash @fast", cmd_hdel);
  add_command(t, "hgetall", 2, "readonly", 1, 1, 1, "@read @hash @slow",
              [](CommandContext& c) { hgetall_generic(c, HashPart::kBoth); });
  add_command(t, "hkeys", 2, "readonly", 1, 1, 1, "@read @hash @slow",
              [](CommandContext& c) { hgetall_generic(c, HashPart::kKeys); });
  add_command(t, "hvals", 2, "readonly", 1, 1, 1, "@read @hash @slow",
              [](CommandContext& c) { hgetall_generic(c, HashPart::kValues); });
  add_command(t, "hlen", 2, "readonly,fast", 1, 1, 1, "@read @hash @fast", cmd_hlen);
  add_command(t, "hexists", 3, "readonly,fast", 1, 1, 1, "@read @hash @fast", cmd_hexists);
  add_command(t, "hincrby", 4, "write,denyoom,fast", 1, 1, 1, "@write @hash @fast", cmd_hincrby);
  add_command(t, "hincrbyfloat", 4, "write,denyoom,fast", 1, 1, 1, "@write @hash @fast", cmd_hincrbyfloat);
  add_command(t, "hstrlen", 3, "readonly,fast", 1, 1, 1, "@read @hash @fast", cmd_hstrlen);
  add_command(t, "hscan", -3, "readonly", 1, 1, 1, "@read @hash @slow", cmd_hscan);
  add_command(t, "hrandfield", -2, "readonly", 1, 1, 1, "@read @hash @slow", cmd_hrandfield);
}

}  // namespace vigil::node
