#include "node/commands/zsets_family_algebra.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include "node/commands/keys_family_shared.h"

namespace vigil::node::data {
namespace {

using store::Set;
using store::ZSet;

enum class Op { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a plain set (every member scores 1.0) or missing.
struct Source {
  ZSet* zset = nullptr;
  Set* set = nullptr;
  double weight = 1.0;
  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  bool exists() const { return zset || set; }
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (zset) zset->for_each(fn);
    else if (set) set->for_each([&](std::string_view m) { fn(m, 1.0); });
  }
  bool find(std::string_view m, double* score) const {
    if (zset) {
      ZSet::Node* n = zset->find(m);
      if (n) *score = n->score;
      return n != nullptr;
    }
    if (set && set->contains(m)) {
      *score = 1.0;
      return true;
    }
    return false;
  }
  bool same_as(const Source& o) const { return (zset && zset == o.zset) || (set && set == o.set); }
};

void aggregate(double* target, double v, Aggregate a) {
  switch (a) {
    case Aggregate::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0.0;  // inf + -inf: Redis's convention
      break;
    case Aggregate::kMin: *target = std::min(*target, v); break;
    case Aggregate::kMax: *target = std::max(*target, v); break;
  }
}

// The command's lower-case name as Redis's c->cmd->fullname.
std::string command_name(const CommandContext& ctx) {
  std::string n = ctx.argv[0];
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return n;
}

void generic(CommandContext& ctx, size_t numkeys_idx, Op op, bool store, bool cardinality_only) {
  long long setnum;
  if (!parse_int(ctx, ctx.argv[numkeys_idx], &setnum)) return;
  if (setnum < 1) {
    ctx.reply.error("ERR at least 1 input key is needed for '" + command_name(ctx) + "' command");
    return;
  }
  if (setnum > static_cast<long long>(ctx.argv.size() - (numkeys_idx + 1))) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  std::vector<Source> src(static_cast<size_t>(setnum));
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < src.size(); ++i, ++j) {
    Entry* e = store ? ctx.db().find(ctx.argv[j], ctx.now_ms) : lookup_read_any(ctx, ctx.argv[j]);
    if (!e) continue;
    if (e->type() == ValueType::kZSet) {
      src[i].zset = &e->zset();
    } else if (e->type() == ValueType::kSet) {
      src[i].set = &e->set();
    } else {
      ctx.reply.error(kErrWrongType);
      return;
    }
  }
  Aggregate agg = Aggregate::kSum;
  bool with_scores = false;
  long long limit = 0;
  while (j < ctx.argv.size()) {
    size_t remaining = ctx.argv.size() - j;
    const std::string& a = ctx.argv[j];
    if (op != Op::kDiff && !cardinality_only && remaining >= src.size() + 1 && iequals(a, "weights")) {
      ++j;
      for (auto& s : src) {
        if (!parse_double(ctx, ctx.argv[j++], &s.weight, "ERR weight value is not a float")) return;
      }
    } else if (op != Op::kDiff && !cardinality_only && remaining >= 2 && iequals(a, "aggregate")) {
      const std::string& v = ctx.argv[j + 1];
      if (iequals(v, "sum")) agg = Aggregate::kSum;
      else if (iequals(v, "min")) agg = Aggregate::kMin;
      else if (iequals(v, "max")) agg = Aggregate::kMax;
      else {
        ctx.reply.error(kErrSyntax);
        return;
      }
      j += 2;
    } else if (!store && !cardinality_only && iequals(a, "withscores")) {
      with_scores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && iequals(a, "limit")) {
      if (!parse_int_min(ctx, ctx.argv[j + 1], 0, &limit, "ERR LIMIT can't be negative")) return;
      j += 2;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  if (op != Op::kDiff) {
    std::stable_sort(src.begin(), src.end(), [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }

  // Accumulate member -> score.
  std::unordered_map<std::string, double> acc;
  std::vector<std::string> order;  // first-seen order keeps results deterministic before sorting
  if (op == Op::kInter) {
    if (src[0].exists()) {
      src[0].for_each([&](std::string_view m, double s0) {
        if (cardinality_only && limit && static_cast<long long>(order.size()) >= limit) return;
        double score = src[0].weight * s0;
        if (std::isnan(score)) score = 0;
        for (size_t k = 1; k < src.size(); ++k) {
          double v;
          if (src[k].same_as(src[0])) {
            v = s0;
          } else if (!src[k].find(m, &v)) {
            return;
          }
          v *= src[k].weight;
          aggregate(&score, v, agg);
        }
        acc.emplace(m, score);
        order.emplace_back(m);
      });
    }
  } else if (op == Op::kUnion) {
    for (const Source& s : src) {
      s.for_each([&](std::string_view m, double sc) {
        double score = s.weight * sc;
        if (std::isnan(score)) score = 0;
        auto [it, inserted] = acc.try_emplace(std::string(m), score);
        if (inserted) order.emplace_back(m); else aggregate(&it->second, score, agg);
      });
    }
  } else {
    src[0].for_each([&](std::string_view m, double sc) {
      double dummy;
      for (size_t k = 1; k < src.size(); ++k)
        if (src[k].find(m, &dummy)) return;
      acc.emplace(m, sc);
      order.emplace_back(m);
    });
  }

  if (cardinality_only) {
    ctx.reply.integer(static_cast<long long>(order.size()));
    return;
  }
  auto result = std::make_unique<ZSet>();
  for (const auto& m : order) result->insert(m, acc[m]);
  if (store) {
    store_zset_result(ctx, ctx.argv[1], std::move(result));
    return;
  }
  const bool nested = with_scores && ctx.reply.protocol() >= 3;
  ctx.reply.array(with_scores && !nested ? result->size() * 2 : result->size());
  result->for_each([&](std::string_view m, double s) {
    if (nested) ctx.reply.array(2);
    ctx.reply.bulk(m);
    if (with_scores) ctx.reply.dbl(s);
  });
}

}  // namespace

void register_zset_algebra(NodeCommandTable& t) {
  add_command(t, "zunionstore", -4, "write,denyoom,movablekeys", 1, 1, 1, "@write @sortedset @slow",
              [](CommandContext& c) { generic(c, 2, Op::kUnion, true, false); });
  add_command(t, "zinterstore", -4, "write,denyoom,movablekeys", 1, 1, 1, "@write @sortedset @slow",
              [](CommandContext& c) { generic(c, 2, Op::kInter, true, false); });
  add_command(t, "zdiffstore", -4, "write,denyoom,movablekeys", 1, 1, 1, "@write @sortedset @slow",
              [](CommandContext& c) { generic(c, 2, Op::kDiff, true, false); });
  add_command(t, "zunion", -3, "readonly,movablekeys", 0, 0, 0, "@read @sortedset @slow",
              [](CommandContext& c) { generic(c, 1, Op::kUnion, false, false); });
  add_command(t, "zinter", -3, "readonly,movablekeys", 0, 0, 0, "@read @sortedset @slow",
              [](CommandContext& c) { generic(c, 1, Op::kInter, false, false); });
  add_command(t, "zdiff", -3, "readonly,movablekeys", 0, 0, 0, "@read @sortedset @slow",
              [](CommandContext& c) { generic(c, 1, Op::kDiff, false, false); });
  add_command(t, "zintercard", -3, "readonly,movablekeys", 0, 0, 0, "@read @sortedset @slow",
              [](CommandContext& c) { generic(c, 1, Op::kInter, false, true); });
}

}  // namespace vigil::node::data
