#include "node/commands/keys_family_shared.h"

#include <strings.h>

#include "common/util/numbers.h"
#include "node/server/node_server.h"

namespace vigil::node::data {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool parse_int(CommandContext& ctx, std::string_view s, long long* out, std::string_view err) {
  if (util::string2ll(s, out)) return true;
  ctx.reply.error(err);
  return false;
}

bool parse_int_min(CommandContext& ctx, std::string_view s, long long min, long long* out,
                   std::string_view err) {
  long long v;
  if (!util::string2ll(s, &v) || v < min) {
    ctx.reply.error(err);
    return false;
  }
  *out = v;
  return true;
}

bool parse_double(CommandContext& ctx, std::string_view s, double* out, std::string_view err) {
  if (util::string2d(s, out)) return true;
  ctx.reply.error(err);
  return false;
}

bool parse_long_double(CommandContext& ctx, std::string_view s, long double* out,
                       std::string_view err) {
  if (util::string2ld(s, out)) return true;
  ctx.reply.error(err);
  return false;
}

Entry* lookup_read_any(CommandContext& ctx, std::string_view key) {
  Entry* e = ctx.db().find(key, ctx.now_ms);
  if (e) {
    ++ctx.server.keyspace_hits;
  } else {
    ++ctx.server.keyspace_misses;
  }
  return e;
}

Entry* lookup_read(CommandContext& ctx, std::string_view key, ValueType t, bool* wrong_type) {
  *wrong_type = false;
  Entry* e = lookup_read_any(ctx, key);
  if (!e) return nullptr;
  if (e->type() != t) {
    *wrong_type = true;
    ctx.reply.error(kErrWrongType);
    return nullptr;
  }
  return e;
}

Entry* lookup_write(CommandContext& ctx, std::string_view key, ValueType t, bool* wrong_type) {
  *wrong_type = false;
  Entry* e = ctx.db().find(key, ctx.now_ms);
  if (e && e->type() != t) {
    *wrong_type = true;
    ctx.reply.error(kErrWrongType);
    return nullptr;
  }
  return e;
}

namespace {

uint32_t parse_flags(std::string_view flags) {
  static const std::pair<std::string_view, uint32_t> kNames[] = {
      {"write", command::kWrite},       {"readonly", command::kReadonly},
      {"denyoom", command::kDenyOom},   {"admin", command::kAdmin},
      {"noscript", command::kNoScript}, {"blocking", command::kBlocking},
      {"loading", command::kLoading},   {"stale", command::kStale},
      {"fast", command::kFast},         {"may_replicate", command::kMayReplicate},
  };
  uint32_t out = 0;
  while (!flags.empty()) {
    size_t comma = flags.find(',');
    std::string_view f = flags.substr(0, comma);
    for (const auto& [name, bit] : kNames)
      if (name == f) out |= bit;
    // "movablekeys" is derived by COMMAND from the key positions, not a flag.
    flags = comma == std::string_view::npos ? std::string_view() : flags.substr(comma + 1);
  }
  return out;
}

}  // namespace

void add_command(NodeCommandTable& t, std::string_view name, int arity, std::string_view flags,
                 int first_key, int last_key, int key_step, std::string_view categories,
                 NodeCommand::Handler handler) {
  NodeCommand c;
  c.name = std::string(name);
  c.arity = arity;
  c.flags = parse_flags(flags);
  c.first_key = first_key;
  c.last_key = last_key;
  c.key_step = key_step;
  c.handler = std::move(handler);
  while (!categories.empty()) {
    size_t sp = categories.find(' ');
    c.acl_categories.emplace_back(categories.substr(0, sp));
    categories = sp == std::string_view::npos ? std::string_view() : categories.substr(sp + 1);
  }
  t.add(std::move(c));
}

std::string_view format_int(long long v, char* buf) {
  char* end = buf + 21;
  char* p = end;
  unsigned long long u = v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  return {p, static_cast<size_t>(end - p)};
}

bool parse_mpop_args(CommandContext& ctx, size_t first, std::vector<std::string>* keys, long long* count,
                     const std::function<bool(const std::string&)>& parse_where) {
  long long numkeys = 0;
  if (!parse_int_min(ctx, ctx.argv[first], 1, &numkeys, "ERR numkeys should be greater than 0")) return false;
  size_t where_idx = first + 1 + static_cast<size_t>(numkeys);
  if (numkeys > static_cast<long long>(ctx.argv.size()) || where_idx >= ctx.argv.size()) {
    ctx.reply.error(kErrSyntax);
    return false;
  }
  keys->assign(ctx.argv.begin() + static_cast<std::ptrdiff_t>(first + 1),
               ctx.argv.begin() + static_cast<std::ptrdiff_t>(where_idx));
  if (!parse_where(ctx.argv[where_idx])) return false;
  bool count_seen = false;
  for (size_t j = where_idx + 1; j < ctx.argv.size(); ++j) {
    if (!count_seen && iequals(ctx.argv[j], "count") && j + 1 < ctx.argv.size()) {
      if (!parse_int_min(ctx, ctx.argv[j + 1], 1, count, "ERR count should be greater than 0")) return false;
      count_seen = true;
      ++j;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

void store_zset_result(CommandContext& ctx, const std::string& dst, std::unique_ptr<store::ZSet> result) {
  const long long n = static_cast<long long>(result->size());
  if (n > 0) {
    ctx.db().replace_with_zset(dst, std::move(result));
    ctx.touch(dst);
    ctx.signal_ready(dst);
  } else if (ctx.db().remove(dst)) {
    ctx.touch(dst);
  } else {
    ctx.no_propagate();
  }
  ctx.reply.integer(n);
}

}  // namespace vigil::node::data
