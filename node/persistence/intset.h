// Intset, Redis's encoding for small all-integer sets (RDB type 11):
// u32 LE element width (2, 4 or 8), u32 LE count, then the values LE,
// strictly ascending.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::node::persistence {

// `values` must be strictly ascending; uses the smallest width that fits all.
std::string intset_encode(const std::vector<int64_t>& values);

// Returns nullopt unless the blob is a well-formed, non-empty intset.
std::optional<std::vector<int64_t>> intset_decode(std::string_view blob);

}  // namespace vigil::node::persistence
