// Redis's number parsing and formatting (util.c / object.c), so values read
// from clients and config files are accepted or rejected exactly as
// redis-server does, and stored floats print the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::util {

// string2ll: optional '-', no '+', no spaces, no leading zeros (except "0"),
// at most 20 chars, overflow rejected. "-0" is rejected.
bool string2ll(std::string_view s, long long* value);
std::optional<int64_t> parse_ll(std::string_view s);

// string2ld / getLongDoubleFromObject: strtold over the whole string, no
// leading space, no NaN, overflow/underflow to inf/0 rejected.
bool string2ld(std::string_view s, long double* value);
// string2d / getDoubleFromObject: the same with strtod and double.
bool string2d(std::string_view s, double* value);

enum class LdMode {
  kAuto,   // "%.17Lg"
  kHuman,  // "%.17Lf" with trailing zeros (and a bare '.') removed: INCRBYFLOAT
};
// ld2string; "inf"/"-inf" for infinities. Returns "" when the text would not
// fit Redis's MAX_LONG_DOUBLE_CHARS (5 KiB) buffer, as Redis returns 0 there.
std::string ld2string(long double value, LdMode mode);

// memtoll / memtoull from util.c: "1gb", "100mb", "10k", "5" (bytes). Units
// are case-insensitive: k=1000 kb=1024 m=1e6 mb=1024^2 g=1e9 gb=1024^3.
// Returns nullopt where Redis sets *err. Quirks kept: the digits go through
// strtoll, so "" reads as 0 and leading zeros are fine; memtoull (used for
// memory-typed config values) rejects a leading '-'.
std::optional<long long> memtoll(std::string_view s);
std::optional<unsigned long long> memtoull(std::string_view s);

}  // namespace vigil::util
