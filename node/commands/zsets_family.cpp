// Sorted-set commands (Redis 7.0 t_zset.c): ZADD ZINCRBY ZREM ZSCORE ZMSCORE
// ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZRANGE ZRANGEBYSCORE ZREVRANGE
// ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZRANGESTORE ZREMRANGEBYSCORE
// ZREMRANGEBYRANK ZREMRANGEBYLEX ZSCAN ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZMPOP
// BZMPOP ZRANDMEMBER. Union/intersection/difference live in
// zsets_family_algebra.cpp.
#include <climits>
#include <cmath>
#include <unordered_set>

#include "common/util/glob.h"
#include "node/commands/families.h"
#include "node/commands/keys_family_scan.h"
#include "node/commands/keys_family_shared.h"
#include "node/commands/zsets_family_algebra.h"
#include "node/commands/zsets_family_ranges.h"
#include "node/server/blocking.h"
#include "node/store/hashing.h"

namespace vigil::node {
namespace {

using namespace data;
using store::ZSet;
using Scored = std::pair<std::string_view, double>;

// Replies (member[, score]) items; RESP3 nests each pair as Redis does.
void reply_scored(CommandContext& ctx, const std::vector<Scored>& items, bool with_scores) {
  if (with_scores && ctx.reply.protocol() >= 3) {
    ctx.reply.array(items.size());
    for (const auto& [m, s] : items) {
      ctx.reply.array(2);
      ctx.reply.bulk(m);
      ctx.reply.dbl(s);
    }
    return;
  }
  ctx.reply.array(with_scores ? items.size() * 2 : items.size());
  for (const auto& [m, s] : items) {
    ctx.reply.bulk(m);
    if (with_scores) ctx.reply.dbl(s);
  }
}

// ---- ZADD / ZINCRBY ---------------------------------------------------------

void zadd_generic(CommandContext& ctx, bool zincrby) {
  enum { kNX = 1, kXX = 2, kCH = 4, kINCR = 8, kGT = 16, kLT = 32 };
  int flags = zincrby ? kINCR : 0;
  size_t idx = 2;
  for (; idx < ctx.argv.size(); ++idx) {
    const std::string& o = ctx.argv[idx];
    if (iequals(o, "nx")) flags |= kNX;
    else if (iequals(o, "xx")) flags |= kXX;
    else if (iequals(o, "ch")) flags |= kCH;
    else if (iequals(o, "incr")) flags |= kINCR;
    else if (iequals(o, "gt")) flags |= kGT;
    else if (iequals(o, "lt")) flags |= kLT;
    else break;
  }
  size_t elements = ctx.argv.size() - idx;
  if (elements % 2 || elements == 0) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  elements /= 2;
  const bool nx = flags & kNX, xx = flags & kXX, gt = flags & kGT, lt = flags & kLT, incr = flags & kINCR;
  if (nx && xx) {
    ctx.reply.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && elements > 1) {
    ctx.reply.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  // Scores are all parsed before anything changes; no heap for the usual few.
  double small_scores[8];
  std::vector<double> big_scores;
  double* scores = small_scores;
  if (elements > std::size(small_scores)) {
    big_scores.resize(elements);
    scores = big_scores.data();
  }
  for (size_t j = 0; j < elements; ++j) {
    if (!parse_double(ctx, ctx.argv[idx + j * 2], &scores[j])) return;
    scores[j] += 0.0;  // -0 is stored as 0, as Redis's listpack does
  }

  const std::string& key = ctx.argv[1];
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kZSet, &wrong);
  if (wrong) return;
  long long added = 0, updated = 0, processed = 0;
  double score = 0;
  bool nan_error = false;
  if (e || !xx) {
    if (!e) e = ctx.db().add_zset(key);
    ZSet& z = e->zset();
    for (size_t j = 0; j < elements; ++j) {
      score = scores[j];
      const std::string& member = ctx.argv[idx + 1 + j * 2];
      ZSet::Node* node = z.find(member);
      if (node) {
        if (nx) continue;
        double cur = node->score;
        if (incr) {
          score += cur;
          if (std::isnan(score)) {
            nan_error = true;
            break;
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        if (score != cur) {
          z.update_score(node, score);
          ++updated;
        }
        ++processed;
      } else if (!xx) {
        z.insert(member, score);
        ++added;
        ++processed;
      }
    }
    if (z.empty()) ctx.db().remove(e);  // only possible after a NaN on a new key
  }
  if (added || updated) ctx.touch(key); else ctx.no_propagate();
  if (added) ctx.signal_ready(key);  // BZPOPMIN/BZMPOP waiters
  if (nan_error) {
    ctx.reply.error("ERR resulting score is not a number (NaN)");
    return;
  }
  if (incr) {
    if (processed) ctx.reply.dbl(score); else ctx.reply.null_bulk();
  } else {
    ctx.reply.integer((flags & kCH) ? added + updated : added);
  }
}

// ---- simple reads and removals ------------------------------------------------

void cmd_zrem(CommandContext& ctx) { remove_members(ctx, &Entry::zset); }

void cmd_zscore(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  auto s = e ? e->zset().score(ctx.argv[2]) : std::nullopt;
  if (s) ctx.reply.dbl(*s); else ctx.reply.null_bulk();
}

void cmd_zmscore(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    auto s = e ? e->zset().score(ctx.argv[i]) : std::nullopt;
    if (s) ctx.reply.dbl(*s); else ctx.reply.null_bulk();
  }
}

void cmd_zcard(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  ctx.reply.integer(e ? static_cast<long long>(e->zset().size()) : 0);
}

// ZCOUNT / ZLEXCOUNT: the members from first_in(z) to last_in(z), counted by rank.
// parsed says whether the range arguments were valid (parse_error otherwise).
template <class FirstIn, class LastIn>
void count_range(CommandContext& ctx, bool parsed, std::string_view parse_error, FirstIn first_in, LastIn last_in) {
  if (!parsed) {
    ctx.reply.error(parse_error);
    return;
  }
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  long long n = 0;
  if (e) {
    ZSet& z = e->zset();
    ZSet::Node* first = first_in(z);
    if (first) n = static_cast<long long>(z.rank_of(last_in(z)) - z.rank_of(first) + 1);
  }
  ctx.reply.integer(n);
}

void cmd_zcount(CommandContext& ctx) {
  store::ScoreRange r;
  count_range(ctx, parse_score_range(ctx.argv[2], ctx.argv[3], &r), kErrMinMaxNotFloat,
              [&](ZSet& z) { return z.first_in_range(r); }, [&](ZSet& z) { return z.last_in_range(r); });
}

void cmd_zlexcount(CommandContext& ctx) {
  store::LexRange r;
  count_range(ctx, parse_lex_range(ctx.argv[2], ctx.argv[3], &r), kErrMinMaxNotLex,
              [&](ZSet& z) { return z.first_in_lex_range(r); }, [&](ZSet& z) { return z.last_in_lex_range(r); });
}

void zrank_generic(CommandContext& ctx, bool reverse) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  ZSet::Node* n = e ? e->zset().find(ctx.argv[2]) : nullptr;
  if (!n) {
    ctx.reply.null_bulk();
    return;
  }
  size_t rank = e->zset().rank_of(n);
  ctx.reply.integer(static_cast<long long>(reverse ? e->zset().size() - 1 - rank : rank));
}

// ---- ZRANGE and friends -----------------------------------------------------------

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Items of z selected by a rank range (already sanitized, inclusive).
void collect_rank(ZSet& z, long long start, long long end, bool reverse, std::vector<Scored>* out) {
  long long len = static_cast<long long>(z.size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return;
  if (end >= len) end = len - 1;
  long long n = end - start + 1;
  ZSet::Node* node = reverse ? z.at_rank(static_cast<size_t>(len - 1 - start)) : z.at_rank(static_cast<size_t>(start));
  for (; node && n--; node = reverse ? node->prev() : node->next()) out->emplace_back(node->member(), node->score);
}

template <class First, class Last, class InRange>
void collect_by(ZSet& z, long long offset, long long limit, bool reverse, First first, Last last,
                InRange in_range, std::vector<Scored>* out) {
  if (offset > 0 && offset >= static_cast<long long>(z.size())) return;
  ZSet::Node* node = reverse ? last() : first();
  // A negative offset walks off the end, as Redis's "while (ln && offset--)".
  while (node && offset--) node = reverse ? node->prev() : node->next();
  while (node && limit--) {
    if (!in_range(node)) break;
    out->emplace_back(node->member(), node->score);
    node = reverse ? node->prev() : node->next();
  }
}

// zrangeGenericCommand: key at argv[key_idx], min/max after it, options after.
void zrange_generic(CommandContext& ctx, size_t key_idx, bool store, RangeType type, Direction dir) {
  bool with_scores = false;
  long long offset = 0, limit = -1;
  for (size_t j = key_idx + 3; j < ctx.argv.size(); ++j) {
    size_t left = ctx.argv.size() - j - 1;
    const std::string& a = ctx.argv[j];
    if (!store && iequals(a, "withscores")) {
      with_scores = true;
    } else if (iequals(a, "limit") && left >= 2) {
      if (!parse_int(ctx, ctx.argv[j + 1], &offset) || !parse_int(ctx, ctx.argv[j + 2], &limit)) return;
      j += 2;
    } else if (dir == Direction::kAuto && iequals(a, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && iequals(a, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && iequals(a, "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank) {
    ctx.reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (with_scores && type == RangeType::kLex) {
    ctx.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  const bool reverse = dir == Direction::kReverse;
  const std::string* min_arg = &ctx.argv[key_idx + 1];
  const std::string* max_arg = &ctx.argv[key_idx + 2];
  if (reverse && type != RangeType::kRank) std::swap(min_arg, max_arg);
  long long start = 0, end = 0;
  store::ScoreRange score_range;
  store::LexRange lex_range;
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      if (!parse_int(ctx, *min_arg, &start) || !parse_int(ctx, *max_arg, &end)) return;
      break;
    case RangeType::kScore:
      if (!parse_score_range(*min_arg, *max_arg, &score_range)) {
        ctx.reply.error(kErrMinMaxNotFloat);
        return;
      }
      break;
    case RangeType::kLex:
      if (!parse_lex_range(*min_arg, *max_arg, &lex_range)) {
        ctx.reply.error(kErrMinMaxNotLex);
        return;
      }
      break;
  }
  bool wrong;
  const std::string& key = ctx.argv[key_idx];
  Entry* e = store ? lookup_write(ctx, key, ValueType::kZSet, &wrong) : lookup_read(ctx, key, ValueType::kZSet, &wrong);
  if (wrong) return;
  std::vector<Scored> items;
  if (e) {
    ZSet& z = e->zset();
    switch (type) {
      case RangeType::kAuto:
      case RangeType::kRank:
        collect_rank(z, start, end, reverse, &items);
        break;
      case RangeType::kScore:
        collect_by(
            z, offset, limit, reverse, [&] { return z.first_in_range(score_range); },
            [&] { return z.last_in_range(score_range); },
            [&](ZSet::Node* n) {
              return reverse ? ZSet::score_gte_min(n->score, score_range) : ZSet::score_lte_max(n->score, score_range);
            },
            &items);
        break;
      case RangeType::kLex:
        collect_by(
            z, offset, limit, reverse, [&] { return z.first_in_lex_range(lex_range); },
            [&] { return z.last_in_lex_range(lex_range); },
            [&](ZSet::Node* n) {
              return reverse ? ZSet::lex_gte_min(n->member(), lex_range) : ZSet::lex_lte_max(n->member(), lex_range);
            },
            &items);
        break;
    }
  }
  if (!store) {
    reply_scored(ctx, items, with_scores);
    return;
  }
  auto result = std::make_unique<ZSet>();
  for (const auto& [m, s] : items) result->insert(m, s);
  store_zset_result(ctx, ctx.argv[1], std::move(result));
}

// ---- ZREMRANGEBY* ---------------------------------------------------------------

void zremrange_generic(CommandContext& ctx, RangeType type) {
  long long start = 0, end = 0;
  store::ScoreRange score_range;
  store::LexRange lex_range;
  if (type == RangeType::kRank) {
    if (!parse_int(ctx, ctx.argv[2], &start) || !parse_int(ctx, ctx.argv[3], &end)) return;
  } else if (type == RangeType::kScore) {
    if (!parse_score_range(ctx.argv[2], ctx.argv[3], &score_range)) {
      ctx.reply.error(kErrMinMaxNotFloat);
      return;
    }
  } else if (!parse_lex_range(ctx.argv[2], ctx.argv[3], &lex_range)) {
    ctx.reply.error(kErrMinMaxNotLex);
    return;
  }
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kZSet, &wrong);
  if (wrong) return;
  std::vector<std::string> victims;
  if (e) {
    ZSet& z = e->zset();
    std::vector<Scored> items;
    if (type == RangeType::kRank) {
      collect_rank(z, start, end, false, &items);
    } else if (type == RangeType::kScore) {
      collect_by(
          z, 0, -1, false, [&] { return z.first_in_range(score_range); }, [&] { return z.last_in_range(score_range); },
          [&](ZSet::Node* n) { return ZSet::score_lte_max(n->score, score_range); }, &items);
    } else {
      collect_by(
          z, 0, -1, false, [&] { return z.first_in_lex_range(lex_range); },
          [&] { return z.last_in_lex_range(lex_range); },
          [&](ZSet::Node* n) { return ZSet::lex_lte_max(n->member(), lex_range); }, &items);
    }
    for (const auto& [m, s] : items) victims.emplace_back(m);
    for (const auto& m : victims) z.remove(m);
    if (z.empty()) ctx.db().remove(e);
  }
  if (victims.empty()) ctx.no_propagate(); else ctx.touch(key);
  ctx.reply.integer(static_cast<long long>(victims.size()));
}

// ---- ZSCAN ------------------------------------------------------------------------

void cmd_zscan(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions opt;
  Entry* e = scan_container_begin(ctx, ValueType::kZSet, &cursor, &opt);
  if (!e) return;
  std::vector<std::pair<std::string, double>> items;
  auto collect = [&](std::string_view m, double s) {
    if (scan_matches(opt, m)) items.emplace_back(m, s);
  };
  cursor = scan_steps(
      cursor, opt, [&](uint64_t c) { return e->zset().scan(c, collect); }, [&] { return items.size(); });
  reply_scan_cursor(ctx, cursor);
  ctx.reply.array(items.size() * 2);
  for (auto& [m, s] : items) {
    ctx.reply.bulk(m);
    ctx.reply.bulk(resp::format_double(s));  // scores are plain strings in SCAN replies
  }
}

// ---- pops -------------------------------------------------------------------------

enum class PopShape {
  kFlat,        // ZPOPMIN/ZPOPMAX (RESP2, or RESP3 without count): m, s, m, s
  kNested,      // ZPOPMIN/ZPOPMAX with count in RESP3: [m, s], ...
  kKeyFlat,     // BZPOPMIN/BZPOPMAX: key, m, s
  kKeyNested,   // ZMPOP/BZMPOP: key, [[m, s], ...]
};

// Pops up to count members from the first existing key of keys (genericZpopCommand).
// Returns false when no key holds a sorted set (nothing written then, unless
// a WRONGTYPE error was replied: *errored).
bool pop_from(CommandContext& ctx, const std::vector<std::string>& keys, bool max, long long count,
              PopShape shape, bool type_errors, bool* errored, std::string* popped_key, size_t* popped) {
  *errored = false;
  store::Database& db = ctx.db();
  for (const std::string& key : keys) {
    Entry* e = db.find(key, ctx.now_ms);
    if (!e) continue;
    if (e->type() != ValueType::kZSet) {
      if (type_errors) {
        ctx.reply.error(kErrWrongType);
        *errored = true;
        return false;
      }
      continue;
    }
    ZSet& z = e->zset();
    size_t n = std::min(static_cast<size_t>(count), z.size());
    switch (shape) {
      case PopShape::kFlat: ctx.reply.array(n * 2); break;
      case PopShape::kNested: ctx.reply.array(n); break;
      case PopShape::kKeyFlat:
        ctx.reply.array(n * 2 + 1);
        ctx.reply.bulk(key);
        break;
      case PopShape::kKeyNested:
        ctx.reply.array(2);
        ctx.reply.bulk(key);
        ctx.reply.array(n);
        break;
    }
    for (size_t i = 0; i < n; ++i) {
      ZSet::Node* node = max ? z.last() : z.first();
      if (shape == PopShape::kNested || shape == PopShape::kKeyNested) ctx.reply.array(2);
      ctx.reply.bulk(node->member());
      ctx.reply.dbl(node->score);
      std::string member(node->member());
      z.remove(member);
    }
    if (z.empty()) db.remove(e);
    ctx.touch(key);
    *popped_key = key;
    *popped = n;
    return true;
  }
  return false;
}

void cmd_zpop(CommandContext& ctx, bool max) {
  if (ctx.argv.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  long long count = -1;  // -1: no count argument (single pop)
  if (ctx.argv.size() == 3 && !parse_int_min(ctx, ctx.argv[2], 0, &count, kErrMustBePositive)) return;
  bool wrong;
  Entry* e = lookup_write(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  if (!e || count == 0) {
    ctx.reply.array(0);
    ctx.no_propagate();
    return;
  }
  PopShape shape = ctx.reply.protocol() >= 3 && count != -1 ? PopShape::kNested : PopShape::kFlat;
  bool errored;
  std::string key;
  size_t n;
  pop_from(ctx, {ctx.argv[1]}, max, count == -1 ? 1 : count, shape, true, &errored, &key, &n);
}

bool serve_bzpop(CommandContext& ctx, bool max, bool first_attempt) {
  std::vector<std::string> keys(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  bool errored;
  std::string key;
  size_t n;
  if (!pop_from(ctx, keys, max, 1, PopShape::kKeyFlat, first_attempt, &errored, &key, &n)) return errored;
  ctx.propagate({max ? "ZPOPMAX" : "ZPOPMIN", key});
  return true;
}

void cmd_bzpop(CommandContext& ctx, bool max) {
  int64_t timeout_ms;
  if (!parse_block_timeout(ctx, ctx.argv.back(), &timeout_ms)) return;
  if (serve_bzpop(ctx, max, true)) return;
  std::vector<std::string> keys(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  block_on_keys(ctx, std::move(keys), timeout_ms, [max](CommandContext& c) { return serve_bzpop(c, max, false); });
}

struct ZmpopArgs {
  std::vector<std::string> keys;
  bool max = false;
  long long count = 1;
};

bool parse_zmpop(CommandContext& ctx, size_t first, ZmpopArgs* out) {
  return parse_mpop_args(ctx, first, &out->keys, &out->count, [&](const std::string& where) {
    if (iequals(where, "min")) {
      out->max = false;
    } else if (iequals(where, "max")) {
      out->max = true;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
    return true;
  });
}

bool serve_zmpop(CommandContext& ctx, const ZmpopArgs& a, bool first_attempt) {
  bool errored;
  std::string key;
  size_t n;
  if (!pop_from(ctx, a.keys, a.max, a.count, PopShape::kKeyNested, first_attempt, &errored, &key, &n)) return errored;
  char buf[24];
  ctx.propagate({a.max ? "ZPOPMAX" : "ZPOPMIN", key, std::string(format_int(a.count, buf))});
  return true;
}

void cmd_zmpop(CommandContext& ctx) { mpop_command<ZmpopArgs>(ctx, false, parse_zmpop, serve_zmpop); }

void cmd_bzmpop(CommandContext& ctx) { mpop_command<ZmpopArgs>(ctx, true, parse_zmpop, serve_zmpop); }

// ---- ZRANDMEMBER --------------------------------------------------------------------

void cmd_zrandmember(CommandContext& ctx) {
  bool wrong;
  if (ctx.argv.size() == 2) {
    Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
    if (wrong) return;
    if (!e) {
      ctx.reply.null_bulk();
      return;
    }
    ZSet& z = e->zset();
    ctx.reply.bulk(z.at_rank(store::random_u64() % z.size())->member());
    return;
  }
  long long count;
  if (!parse_int(ctx, ctx.argv[2], &count)) return;
  if (count == LLONG_MIN) {
    ctx.reply.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  if (ctx.argv.size() > 4 || (ctx.argv.size() == 4 && !iequals(ctx.argv[3], "withscores"))) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  bool with_scores = ctx.argv.size() == 4;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  if (!e || count == 0) {
    ctx.reply.array(0);
    return;
  }
  ZSet& z = e->zset();
  size_t n = static_cast<size_t>(count < 0 ? -count : count);
  std::vector<Scored> items;
  if (count < 0 || n == 1) {
    for (size_t i = 0; i < n; ++i) {
      ZSet::Node* node = z.at_rank(store::random_u64() % z.size());
      items.emplace_back(node->member(), node->score);
    }
  } else if (n >= z.size()) {
    z.for_each([&](std::string_view m, double s) { items.emplace_back(m, s); });
  } else {
    std::unordered_set<size_t> seen;
    while (items.size() < n) {
      size_t r = store::random_u64() % z.size();
      if (!seen.insert(r).second) continue;
      ZSet::Node* node = z.at_rank(r);
      items.emplace_back(node->member(), node->score);
    }
  }
  reply_scored(ctx, items, with_scores);
}

}  // namespace

void register_zset_family(NodeCommandTable& t) {
  add_command(t, "zadd", -4, "write,denyoom,fast", 1, 1, 1, "@write @sortedset @fast",
              [](CommandContext& c) { zadd_generic(c, false); });
  add_command(t, "zincrby", 4, "write,denyoom,fast", 1, 1, 1, "@write @sortedset @fast",
              [](CommandContext& c) { zadd_generic(c, true); });
  add_command(t, "zrem", -3, "write,fast", 1, 1, 1, "@write @sortedset @fast", cmd_zrem);
  add_command(t, "zscore", 3, "readonly,fast", 1, 1, 1, "@read @sortedset @fast", cmd_zscore);
  add_command(t, "zmscore", -3, "readonly,fast", 1, 1, 1, "@read @sortedset @fast", cmd_zmscore);
  add_command(t, "zcard", 2, "readonly,fast", 1, 1, 1, "@read @sortedset @fast", cmd_zcard);
  add_command(t, "zcount", 4, "readonly,fast", 1, 1, 1, "@read @sortedset @fast", cmd_zcount);
  add_command(t, "zlexcount", 4, "readonly,fast", 1, 1, 1, "@read @sortedset @fast", cmd_zlexcount);
  add_command(t, "zrank", 3, "readonly,fast", 1, 1, 1, "@read @sortedset @fast",
              [](CommandContext& c) { zrank_generic(c, false); });
  add_command(t, "zrevrank", 3, "readonly,fast", 1, 1, 1, "@read @sortedset @fast",
              [](CommandContext& c) { zrank_generic(c, true); });
  add_command(t, "zrange", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 1, false, RangeType::kAuto, Direction::kAuto); });
  add_command(t, "zrangebyscore", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 1, false, RangeType::kScore, Direction::kForward); });
  add_command(t, "zrevrangebyscore", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 1, false, RangeType::kScore, Direction::kReverse); });
  add_command(t, "zrangebylex", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 1, false, RangeType::kLex, Direction::kForward); });
  add_command(t, "zrevrangebylex", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 1, false, RangeType::kLex, Direction::kReverse); });
  add_command(t, "zrevrange", -4, "readonly", 1, 1, 1, "@read @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 1, false, RangeType::kRank, Direction::kReverse); });
  add_command(t, "zrangestore", -5, "write,denyoom", 1, 2, 1, "@write @sortedset @slow",
              [](CommandContext& c) { zrange_generic(c, 2, true, RangeType::kAuto, Direction::kAuto); });
  add_command(t, "zremrangebyscore", 4, "write", 1, 1, 1, "@write @sortedset @slow",
              [](CommandContext& c) { zremrange_generic(c, RangeType::kScore); });
  add_command(t, "zremrangebyrank", 4, "write", 1, 1, 1, "@write @sortedset @slow",
              [](CommandContext& c) { zremrange_generic(c, RangeType::kRank); });
  add_command(t, "zremrangebylex", 4, "write", 1, 1, 1, "@write @sortedset @slow",
              [](CommandContext& c) { zremrange_generic(c, RangeType::kLex); });
  add_command(t, "zscan", -3, "readonly", 1, 1, 1, "@read @sortedset @slow", cmd_zscan);
  add_command(t, "zpopmin", -2, "write,fast", 1, 1, 1, "@write @sortedset @fast",
              [](CommandContext& c) { cmd_zpop(c, false); });
  add_command(t, "zpopmax", -2, "write,fast", 1, 1, 1, "@write @sortedset @fast",
              [](CommandContext& c) { cmd_zpop(c, true); });
  add_command(t, "bzpopmin", -3, "write,noscript,blocking,fast", 1, -2, 1, "@write @sortedset @fast @blocking",
              [](CommandContext& c) { cmd_bzpop(c, false); });
  add_command(t, "bzpopmax", -3, "write,noscript,blocking,fast", 1, -2, 1, "@write @sortedset @fast @blocking",
              [](CommandContext& c) { cmd_bzpop(c, true); });
  add_command(t, "zmpop", -4, "write,movablekeys", 0, 0, 0, "@write @sortedset @slow", cmd_zmpop);
  add_command(t, "bzmpop", -5, "write,blocking,movablekeys", 0, 0, 0, "@write @sortedset @slow @blocking",
              cmd_bzmpop);
  add_command(t, "zrandmember", -2, "readonly", 1, 1, 1, "@read @sortedset @slow", cmd_zrandmember);
  register_zset_algebra(t);
}

}  // namespace vigil::node
