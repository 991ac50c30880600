// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest
// common subsequence of two strings, as Redis 7.0's lcsCommand (t_string.c)
// computes and words it, including the order of the IDX match ranges.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;

// One IDX entry: [a_start, a_end] of key1 matches [b_start, b_end] of key2.
struct MatchRange {
  uint32_t a_start, a_end, b_start, b_end;
};

void cmd_lcs(CommandContext& ctx) {
  auto& argv = ctx.argv;
  Entry* ea = lookup_read_any(ctx, argv[1]);
  Entry* eb = lookup_read_any(ctx, argv[2]);
  if ((ea && ea->type() != ValueType::kString) || (eb && eb->type() != ValueType::kString)) {
    ctx.reply.error("ERR The specified keys must contain string values");
    return;
  }
  // Missing keys are empty strings. Both views stay valid: nothing below
  // modifies the keyspace.
  std::string_view a = ea ? ea->str() : std::string_view();
  std::string_view b = eb ? eb->str() : std::string_view();

  bool get_len = false, get_idx = false, with_match_len = false;
  long long min_match_len = 0;
  for (size_t j = 3; j < argv.size(); ++j) {
    bool more = j + 1 < argv.size();
    if (iequals(argv[j], "idx")) {
      get_idx = true;
    } else if (iequals(argv[j], "len")) {
      get_len = true;
    } else if (iequals(argv[j], "withmatchlen")) {
      with_match_len = true;
    } else if (iequals(argv[j], "minmatchlen") && more) {
      if (!parse_int(ctx, argv[j + 1], &min_match_len)) return;
      if (min_match_len < 0) min_match_len = 0;
      ++j;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  if (get_idx && get_len) {
    ctx.reply.error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.reply.error("ERR String too long for LCS");
    return;
  }

  // The dynamic-programming table: lcs[i][j] = LCS length of a[0..i) and b[0..j).
  // Its size is bounded by proto-max-bulk-len, as in Redis.
  const uint64_t alen = a.size(), blen = b.size();
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len)) {
    ctx.reply.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (!table) {
    ctx.reply.error("ERR Insufficient memory, failed allocating transient memory for LCS");
    return;
  }
  auto lcs = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint64_t i = 0; i <= alen; ++i) {
    for (uint64_t j = 0; j <= blen; ++j) {
      if (i == 0 || j == 0) {
        lcs(i, j) = 0;
      } else if (a[i - 1] == b[j - 1]) {
        lcs(i, j) = lcs(i - 1, j - 1) + 1;
      } else {
        lcs(i, j) = std::max(lcs(i - 1, j), lcs(i, j - 1));
      }
    }
  }

  const uint32_t total = lcs(alen, blen);
  if (get_len) {
    ctx.reply.integer(total);
    return;
  }
  // Walk back from the end, rebuilding the subsequence and the contiguous
  // ranges it is made of (emitted last-to-first, as Redis does).
  std::string result(total, '\0');
  std::vector<MatchRange> ranges;
  const uint32_t unset = static_cast<uint32_t>(alen);  // "no range in progress"
  MatchRange cur{unset, 0, 0, 0};
  uint32_t idx = total;
  uint64_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[--idx] = a[i - 1];
      if (cur.a_start == unset) {
        cur = {static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1), static_cast<uint32_t>(j - 1),
               static_cast<uint32_t>(j - 1)};
      } else if (cur.a_start == i && cur.b_start == j) {
        --cur.a_start;
        --cur.b_start;
      } else {
        emit = true;
      }
      // The range cannot grow past the start of either string.
      if (cur.a_start == 0 || cur.b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (lcs(i - 1, j) > lcs(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (cur.a_start != unset) emit = true;
    }
    if (emit) {
      uint32_t match_len = cur.a_end - cur.a_start + 1;
      if (get_idx && (min_match_len == 0 || match_len >= min_match_len)) ranges.push_back(cur);
      cur.a_start = unset;
    }
  }

  if (!get_idx) {
    ctx.reply.bulk(result);
    return;
  }
  ctx.reply.map(2);
  ctx.reply.bulk("matches");
  ctx.reply.array(ranges.size());
  for (const MatchRange& r : ranges) {
    ctx.reply.array(with_match_len ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.integer(r.a_start);
    ctx.reply.integer(r.a_end);
    ctx.reply.array(2);
    ctx.reply.integer(r.b_start);
    ctx.reply.integer(r.b_end);
    if (with_match_len) ctx.reply.integer(r.a_end - r.a_start + 1);
  }
  ctx.reply.bulk("len");
  ctx.reply.integer(total);
}

}  // namespace

void register_lcs_command(NodeCommandTable& t) {
  NodeCommandTable one;
  add_command(one, "lcs", -3, "readonly", 1, 2, 1, "@read @string @slow", cmd_lcs);
  NodeCommand c = one.all().begin()->second;
  command::KeySpec keys;
  keys.flags = {"RO", "access"};
  keys.last_key = 1;
  c.key_specs.push_back(std::move(keys));
  t.add(std::move(c));
}

}  // namespace vigil::node
