// Text <-> number conversions with Redis's exact rules, shared by the RDB
// string encoder, the listpack encoder and the loaders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::node::persistence {

// Redis's string2ll: accepts only the canonical decimal form of an int64
// ("0", "-5", "123"; not "+1", "007", "-0", " 1", or anything over 20 chars).
// Only such strings may be stored in integer encodings, so they round-trip
// byte-for-byte.
std::optional<int64_t> canonical_int64(std::string_view s);

std::string int64_text(int64_t v);

// Zset scores as Redis writes them into listpacks (d2string): "inf", "-inf",
// "-0", integral values as integers, else "%.17g".
std::string score_text(double d);

// Parses a score read from a listpack/ziplist or an old text-score zset.
// Accepts "inf"/"-inf"/"+inf"; rejects NaN and trailing garbage.
std::optional<double> parse_score(std::string_view s);

}  // namespace vigil::node::persistence
