#include "sentinel/core/text.h"

#include <cctype>
#include <limits>

namespace vigil::sentinel::text {
namespace {
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

int64_t atoll_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  uint64_t value = 0;
  const uint64_t limit = negative ? uint64_t(std::numeric_limits<int64_t>::max()) + 1
                                  : uint64_t(std::numeric_limits<int64_t>::max());
  for (; i < s.size() && is_digit(s[i]); ++i) {
    uint64_t digit = uint64_t(s[i] - '0');
    if (value > (limit - digit) / 10) {
      value = limit;
      break;
    }
    value = value * 10 + digit;
  }
  if (negative) return value == limit ? std::numeric_limits<int64_t>::min() : -int64_t(value);
  return int64_t(value);
}

uint64_t atoull_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  uint64_t value = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    uint64_t digit = uint64_t(s[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return std::numeric_limits<uint64_t>::max();
    }
    value = value * 10 + digit;
  }
  return negative ? uint64_t(0) - value : value;
}

std::optional<int64_t> parse_int64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s == "0") return 0;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  if (s[i] < '1' || s[i] > '9') return std::nullopt;  // no leading zeros / spaces / '+'
  uint64_t value = 0;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return std::nullopt;
    uint64_t digit = uint64_t(s[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (negative) {
    if (value > uint64_t(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
    return value == uint64_t(std::numeric_limits<int64_t>::max()) + 1
               ? std::numeric_limits<int64_t>::min()
               : -int64_t(value);
  }
  if (value > uint64_t(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return int64_t(value);
}

namespace {
// Port of Redis's stringmatchlen. Recursion depth is bounded by the pattern's '*' count.
bool glob_match_impl(std::string_view p, std::string_view s, bool nocase) {
  size_t pi = 0, si = 0;
  while (pi < p.size() && si <= s.size()) {
    switch (p[pi]) {
      case '*': {
        while (pi + 1 < p.size() && p[pi + 1] == '*') ++pi;
        if (pi + 1 == p.size()) return true;
        for (size_t k = si; k <= s.size(); ++k)
          if (glob_match_impl(p.substr(pi + 1), s.substr(k), nocase)) return true;
        return false;
      }
      case '?':
        if (si >= s.size()) return false;
        ++si;
        break;
      case '[': {
        if (si >= s.size()) return false;
        ++pi;
        bool negate = pi < p.size() && p[pi] == '^';
        if (negate) ++pi;
        bool match = false;
        while (true) {
          if (pi >= p.size()) {  // unterminated class: Redis treats the end as ']'
            --pi;
            break;
          }
          if (p[pi] == '\\' && pi + 1 < p.size()) {
            ++pi;
            if (p[pi] == s[si]) match = true;
          } else if (p[pi] == ']') {
            break;
          } else if (pi + 2 < p.size() && p[pi + 1] == '-') {
            char start = p[pi], end = p[pi + 2], c = s[si];
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            pi += 2;
            if (c >= start && c <= end) match = true;
          } else if (nocase ? lower(p[pi]) == lower(s[si]) : p[pi] == s[si]) {
            match = true;
          }
          ++pi;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++si;
        break;
      }
      case '\\':
        if (pi + 1 < p.size()) ++pi;
        [[fallthrough]];
      default:
        if (si >= s.size()) return false;
        if (nocase ? lower(p[pi]) != lower(s[si]) : p[pi] != s[si]) return false;
        ++si;
        break;
    }
    ++pi;
  }
  return pi == p.size() && si == s.size();
}
}  // namespace

bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
  // Redis 7.0 quirk: an empty string matches only an empty pattern (even "*" fails).
  if (str.empty()) return pattern.empty();
  return glob_match_impl(pattern, str, nocase);
}

namespace {
bool is_ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
    if (i == start || value > 255) return false;
    if (i - start > 1 && s[start] == '0') return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

bool is_ipv6(std::string_view s) {
  // Groups of 1-4 hex digits separated by ':', at most one "::", optional trailing IPv4.
  if (s.size() < 2) return false;
  size_t double_colon = s.find("::");
  if (double_colon != std::string_view::npos && s.find("::", double_colon + 1) != std::string_view::npos)
    return false;
  int groups = 0;
  size_t i = 0;
  if (s.substr(0, 2) == "::") i = 2;
  else if (s[0] == ':') return false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])) && i - start < 4) ++i;
    if (i < s.size() && s[i] == '.') {  // embedded IPv4 tail
      if (!is_ipv4(s.substr(start))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (i == start) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      ++i;  // the "::"
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  return double_colon != std::string_view::npos ? groups < 8 : groups == 8;
}
}  // namespace

bool is_ip_literal(std::string_view s) { return is_ipv4(s) || is_ipv6(s); }

}  // namespace vigil::sentinel::text
