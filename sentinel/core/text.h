// Small pure string helpers with the exact semantics Redis uses (strtoll prefixes,
// strict integer parsing, case-insensitive comparison, glob matching).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::sentinel::text {

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
// Like C strtoll(s, NULL, 10): optional leading spaces and sign, then digits; stops at the
// first non-digit; 0 if none; saturates on overflow.
int64_t atoll_prefix(std::string_view s);
// Like strtoull(s, NULL, 10) for hello epochs (a leading '-' wraps as in C).
uint64_t atoull_prefix(std::string_view s);
// Redis string2ll: the whole string must be a canonical 64-bit decimal integer.
std::optional<int64_t> parse_int64(std::string_view s);
// Redis stringmatchlen (glob: * ? [abc] [^a-z] \x), optionally case-insensitive.
bool glob_match(std::string_view pattern, std::string_view str, bool nocase);
// Whether `s` is an IPv4 or IPv6 literal (Redis's ANET_IP_ONLY validation).
bool is_ip_literal(std::string_view s);

}  // namespace vigil::sentinel::text
