// Argument handling shared by SCAN, HSCAN, SSCAN and ZSCAN (scanGenericCommand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "node/server/command_context.h"

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

}  // namespace vigil::node::data
