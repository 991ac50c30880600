// Load-only decoders for containers older Redis versions wrote into RDB files:
// ziplist (types 10, 12, 13 and quicklist v1 nodes, Redis 3.2-6.2) and zipmap
// (type 9, Redis <= 2.4 hashes). vigil never writes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::node::persistence {

// Appends every entry (integers as decimal text). False on any corruption.
bool ziplist_decode(std::string_view blob, std::vector<std::string>& out);

// Appends field, value, field, value, ... False on any corruption.
bool zipmap_decode(std::string_view blob, std::vector<std::string>& out);

}  // namespace vigil::node::persistence
