// SORT and SORT_RO, following Redis 7.0's sort.c (sortCommandGeneric,
// lookupKeyByPattern, sortCompare) down to its edge cases: patterns are read
// as C strings (up to the first NUL) where Redis uses strchr/strstr, LIMIT
// is clamped the same way, and numeric scores are parsed with strtod.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  long long limit_start = 0;
  long long limit_count = -1;
  std::optional<std::string> by;     // BY pattern
  bool dont_sort = false;            // BY without '*': keep the value's own order
  std::optional<std::string> store;  // STORE destination
  std::vector<std::string> gets;     // GET patterns, in order
};

// One element being sorted, with what it sorts by (Redis's redisSortObject).
struct SortItem {
  std::string value;
  double score = 0;
  std::optional<std::string> by_value;  // ALPHA with BY: the looked-up value, if any
};

// The part of s before its first NUL: what Redis's strchr/strstr look at.
std::string_view c_prefix(std::string_view s) { return s.substr(0, s.find('\0')); }

// lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is
// replaced by the element, and "->field" after it reads a hash field. Only
// string values (or hash fields) are returned.
std::optional<std::string> lookup_by_pattern(CommandContext& ctx, std::string_view pattern, const std::string& element) {
  if (!pattern.empty() && pattern[0] == '#' && (pattern.size() == 1 || pattern[1] == '\0')) return element;
  std::string_view searchable = c_prefix(pattern);
  size_t star = searchable.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  size_t arrow = searchable.find("->", star + 1);
  bool has_field = arrow != std::string_view::npos && arrow + 2 < pattern.size() && pattern[arrow + 2] != '\0';
  size_t suffix_end = has_field ? arrow : pattern.size();
  std::string key;
  key.reserve(star + element.size() + (suffix_end - star - 1));
  key.append(pattern.substr(0, star)).append(element).append(pattern.substr(star + 1, suffix_end - star - 1));
  Entry* e = lookup_read_any(ctx, key);
  if (!e) return std::nullopt;
  if (has_field) {
    if (e->type() != ValueType::kHash) return std::nullopt;
    const std::string* v = e->hash().get(pattern.substr(arrow + 2));
    if (!v) return std::nullopt;
    return *v;
  }
  if (e->type() != ValueType::kString) return std::nullopt;
  return std::string(e->str());
}

// Parses argv[2..]; replies the Redis error and returns false on failure.
bool parse_sort_options(CommandContext& ctx, bool readonly, SortOptions* o) {
  const auto& argv = ctx.argv;
  for (size_t j = 2; j < argv.size(); ++j) {
    size_t left = argv.size() - j - 1;
    const std::string& a = argv[j];
    if (iequals(a, "asc")) {
      o->desc = false;
    } else if (iequals(a, "desc")) {
      o->desc = true;
    } else if (iequals(a, "alpha")) {
      o->alpha = true;
    } else if (iequals(a, "limit") && left >= 2) {
      if (!parse_int(ctx, argv[j + 1], &o->limit_start) || !parse_int(ctx, argv[j + 2], &o->limit_count))
        return false;
      j += 2;
    } else if (!readonly && iequals(a, "store") && left >= 1) {
      o->store = argv[++j];
    } else if (iequals(a, "by") && left >= 1) {
      o->by = argv[++j];
      o->dont_sort = c_prefix(*o->by).find('*') == std::string_view::npos;
    } else if (iequals(a, "get") && left >= 1) {
      o->gets.push_back(argv[++j]);
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Redis's LIMIT sanity checks, returning the inclusive [start, end] range
// (empty when end < start). Saturating where Redis's long arithmetic would wrap.
std::pair<long long, long long> limit_range(const SortOptions& o, long long len) {
  long long start = o.limit_start < 0 ? 0 : o.limit_start;
  long long end;
  if (o.limit_count < 0) {
    end = len - 1;
  } else {
    end = o.limit_count - 1 > LLONG_MAX - start ? LLONG_MAX : start + o.limit_count - 1;
  }
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  return {start, end};
}

// The elements to sort, in the order Redis loads them. With dont_sort on a
// list or zset only [start, end] is loaded, already in ASC/DESC order, and
// the range is rebased to 0.
std::vector<SortItem> load_elements(Entry* e, const SortOptions& o, long long* start, long long* end) {
  std::vector<SortItem> items;
  auto add = [&](std::string_view v) { items.push_back(SortItem{std::string(v), 0, std::nullopt}); };
  if (!e) return items;
  bool ranged = o.dont_sort && (e->type() == ValueType::kList || e->type() == ValueType::kZSet);
  if (ranged) {
    if (*end < *start) return items;
    size_t len = e->type() == ValueType::kList ? e->list().size() : e->zset().size();
    size_t first = static_cast<size_t>(*start), count = static_cast<size_t>(*end - *start + 1);
    items.reserve(count);
    if (e->type() == ValueType::kList) {
      const auto& list = e->list().items;
      for (size_t i = 0; i < count; ++i) add(list[o.desc ? len - 1 - first - i : first + i]);
    } else {
      store::ZSet& z = e->zset();
      const store::ZSet::Node* n = o.desc ? z.at_rank(len - 1 - first) : z.at_rank(first);
      for (size_t i = 0; i < count && n; ++i, n = o.desc ? n->prev() : n->next()) add(n->member());
    }
    *end -= *start;
    *start = 0;
    return items;
  }
  switch (e->type()) {
    case ValueType::kList:
      items.reserve(e->list().size());
      for (const std::string& v : e->list().items) add(v);
      break;
    case ValueType::kSet:
      items.reserve(e->set().size());
      e->set().for_each([&](std::string_view m) { add(m); });
      break;
    case ValueType::kZSet:
      items.reserve(e->zset().size());
      e->zset().for_each([&](std::string_view m, double) { add(m); });
      break;
    default:
      break;
  }
  return items;
}

// Fills the sort keys; returns false when a numeric key is not a double
// (Redis still sorts, then replies the error).
bool load_sort_keys(CommandContext& ctx, const SortOptions& o, std::vector<SortItem>& items) {
  bool all_numeric = true;
  for (SortItem& item : items) {
    std::optional<std::string> by;
    if (o.by) {
      by = lookup_by_pattern(ctx, *o.by, item.value);
      if (!by) continue;
    }
    if (o.alpha) {
      if (o.by) item.by_value = std::move(by);
      continue;
    }
    const std::string& text = o.by ? *by : item.value;
    char* end;
    errno = 0;
    item.score = std::strtod(text.c_str(), &end);
    if (*end != '\0' || errno == ERANGE || std::isnan(item.score)) all_numeric = false;
  }
  return all_numeric;
}

// compareStringObjects: binary-safe byte order, shorter first on a tie.
int compare_binary(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// strcoll on C strings (the server runs in the C / C.UTF-8 collation, i.e. byte order).
int compare_collate(const std::string& a, const std::string& b) {
  int c = std::strcmp(a.c_str(), b.c_str());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// sortCompare. Ties in numeric mode fall back to the elements themselves.
int sort_compare(const SortOptions& o, const SortItem& a, const SortItem& b) {
  int cmp;
  if (!o.alpha) {
    cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compare_binary(a.value, b.value);
  } else if (o.by) {
    if (!a.by_value || !b.by_value) {
      cmp = a.by_value == b.by_value ? 0 : !a.by_value ? -1 : 1;
    } else {
      cmp = o.store ? compare_binary(*a.by_value, *b.by_value) : compare_collate(*a.by_value, *b.by_value);
    }
  } else {
    cmp = o.store ? compare_binary(a.value, b.value) : compare_collate(a.value, b.value);
  }
  return o.desc ? -cmp : cmp;
}

// Writes the sorted range into a list at the STORE key (or deletes it when
// the result is empty) and replies its length.
void store_result(CommandContext& ctx, const SortOptions& o, const std::vector<SortItem>& items, long long start,
                  long long end) {
  auto list = std::make_unique<store::List>();
  for (long long j = start; j <= end; ++j) {
    const std::string& value = items[static_cast<size_t>(j)].value;
    if (o.gets.empty()) {
      list->items.push_back(value);
      continue;
    }
    for (const std::string& pattern : o.gets) list->items.push_back(lookup_by_pattern(ctx, pattern, value).value_or(""));
  }
  store::Database& db = ctx.db();
  const std::string& key = *o.store;
  size_t stored = list->items.size();
  if (stored > 0) {
    bool existed = db.find(key, ctx.now_ms) != nullptr;
    Entry* e = db.replace_with_list(key, std::move(list));
    ctx.touch(key);
    // Redis's setKey signals blocked clients only when the key is new (dbAdd).
    if (!existed) ctx.server.signal_key_ready(ctx.client.db, std::string(e->key()));
  } else if (db.find(key, ctx.now_ms)) {
    db.remove(key);
    ctx.touch(key);
  } else {
    ctx.no_propagate();
  }
  ctx.reply.integer(static_cast<long long>(stored));
}

void sort_generic(CommandContext& ctx, bool readonly) {
  SortOptions o;
  if (!parse_sort_options(ctx, readonly, &o)) return;
  Entry* e = lookup_read_any(ctx, ctx.argv[1]);
  if (e && e->type() != ValueType::kList && e->type() != ValueType::kSet && e->type() != ValueType::kZSet) {
    ctx.reply.error(kErrWrongType);
    return;
  }
  // A set has no order of its own: a stored result must not depend on it.
  if (o.dont_sort && e && e->type() == ValueType::kSet && o.store) {
    o.dont_sort = false;
    o.alpha = true;
    o.by.reset();
  }
  // Redis converts a listpack zset to a skiplist for SORT, and keeps it so.
  if (e && e->type() == ValueType::kZSet) e->zset().convert_to_skiplist();

  long long len = 0;
  if (e) {
    len = static_cast<long long>(e->type() == ValueType::kList  ? e->list().size()
                                 : e->type() == ValueType::kSet ? e->set().size()
                                                                : e->zset().size());
  }
  auto [start, end] = limit_range(o, len);
  std::vector<SortItem> items = load_elements(e, o, &start, &end);

  bool numeric_ok = true;
  if (!o.dont_sort) {
    numeric_ok = load_sort_keys(ctx, o, items);
    std::stable_sort(items.begin(), items.end(),
                     [&](const SortItem& a, const SortItem& b) { return sort_compare(o, a, b) < 0; });
  }
  if (!numeric_ok) {
    ctx.reply.error("ERR One or more scores can't be converted into double");
    if (!readonly) ctx.no_propagate();
    return;
  }
  if (o.store) {
    store_result(ctx, o, items, start, end);
    return;
  }
  if (!readonly) ctx.no_propagate();
  long long n = end >= start ? end - start + 1 : 0;
  ctx.reply.array(static_cast<size_t>(o.gets.empty() ? n : n * static_cast<long long>(o.gets.size())));
  for (long long j = start; j <= end; ++j) {
    const std::string& value = items[static_cast<size_t>(j)].value;
    if (o.gets.empty()) {
      ctx.reply.bulk(value);
      continue;
    }
    for (const std::string& pattern : o.gets) {
      std::optional<std::string> v = lookup_by_pattern(ctx, pattern, value);
      if (v) ctx.reply.bulk(*v); else ctx.reply.null_bulk();
    }
  }
}

}  // namespace

void register_sort_family(NodeCommandTable& t) {
  // Built in a scratch table, then given the sorted key's COMMAND INFO key spec
  // (Redis's extra "unknown" specs for BY/GET/STORE have no counterpart here).
  NodeCommandTable scratch;
  add_command(scratch, "sort", -2, "write,denyoom,movablekeys", 1, 1, 1, "@write @set @sortedset @list @slow @dangerous",
              [](CommandContext& c) { sort_generic(c, false); });
  add_command(scratch, "sort_ro", -2, "readonly,movablekeys", 1, 1, 1, "@read @set @sortedset @list @slow @dangerous",
              [](CommandContext& c) { sort_generic(c, true); });
  for (const auto& [name, registered] : scratch.all()) {
    NodeCommand c = registered;
    c.key_specs.push_back(command::KeySpec{{"RO", "access"}});
    t.add(std::move(c));
  }
}

}  // namespace vigil::node
