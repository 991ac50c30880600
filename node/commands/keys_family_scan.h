// Argument handling shared by SCAN, HSCAN, SSCAN and ZSCAN (scanGenericCommand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/server/command_context.h"
#include "node/store/database.h"

namespace vigil::node::data {

struct ScanOptions {
  long long count = 10;
  std::optional<std::string> pattern;  // unset for "*" (match everything)
  std::optional<std::string> type;     // SCAN ... TYPE t
};

// strtoul semantics as Redis ("ERR invalid cursor" otherwise).
bool parse_scan_cursor(CommandContext& ctx, const std::string& arg, uint64_t* cursor);
// COUNT / MATCH / (TYPE when allow_type) from argv[first].
bool parse_scan_options(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out);
// The cursor element of the reply (a bulk string). The caller then writes the
// array of elements; the outer 2-element array is written here.
void reply_scan_cursor(CommandContext& ctx, uint64_t cursor);

// Whether name passes the MATCH pattern (always, without one).
bool scan_matches(const ScanOptions& opt, std::string_view name);

// Runs scan steps (step(cursor) -> next cursor) until the cursor is 0, COUNT
// items are collected (collected() tells) or COUNT * 10 steps found too few,
// as scanGenericCommand. Returns the cursor to reply.
template <class Step, class Collected>
uint64_t scan_steps(uint64_t cursor, const ScanOptions& opt, Step&& step, Collected&& collected) {
  uint64_t max_iterations = static_cast<uint64_t>(opt.count) * 10;
  do {
    cursor = step(cursor);
  } while (cursor && max_iterations-- && collected() < static_cast<size_t>(opt.count));
  return cursor;
}

// The common head of HSCAN / SSCAN / ZSCAN key cursor [MATCH p] [COUNT n]:
// the cursor, the key (of type t) and the options. Returns the entry to scan,
// or nullptr once the reply is complete (an error, or the empty reply for a
// missing key, which Redis sends before looking at the options).
store::Entry* scan_container_begin(CommandContext& ctx, store::ValueType t, uint64_t* cursor, ScanOptions* opt);

}  // namespace vigil::node::data
