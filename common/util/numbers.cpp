#include "common/util/numbers.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vigil::util {

namespace {

constexpr size_t kLongStrSize = 21;               // LONG_STR_SIZE
constexpr size_t kMaxLongDoubleChars = 5 * 1024;  // MAX_LONG_DOUBLE_CHARS

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

bool string2ll(std::string_view s, long long* value) {
  const size_t slen = s.size();
  if (slen == 0 || slen >= kLongStrSize) return false;
  if (slen == 1 && s[0] == '0') {
    if (value) *value = 0;
    return true;
  }
  size_t p = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    p++;
    if (p == slen) return false;
  }
  unsigned long long v;
  if (s[p] >= '1' && s[p] <= '9') {
    v = static_cast<unsigned long long>(s[p] - '0');
    p++;
  } else {
    return false;
  }
  while (p < slen && s[p] >= '0' && s[p] <= '9') {
    if (v > ULLONG_MAX / 10) return false;
    v *= 10;
    unsigned digit = static_cast<unsigned>(s[p] - '0');
    if (v > ULLONG_MAX - digit) return false;
    v += digit;
    p++;
  }
  if (p < slen) return false;
  if (negative) {
    if (v > static_cast<unsigned long long>(-(LLONG_MIN + 1)) + 1) return false;
    if (value) *value = static_cast<long long>(0ULL - v);
  } else {
    if (v > static_cast<unsigned long long>(LLONG_MAX)) return false;
    if (value) *value = static_cast<long long>(v);
  }
  return true;
}

std::optional<int64_t> parse_ll(std::string_view s) {
  long long v;
  if (!string2ll(s, &v)) return std::nullopt;
  return v;
}

bool string2ld(std::string_view s, long double* value) {
  char buf[kMaxLongDoubleChars];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(buf, &end);
  if (is_c_space(buf[0]) || *end != '\0' || static_cast<size_t>(end - buf) != s.size() ||
      (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) ||
      errno == EINVAL || std::isnan(v)) {
    return false;
  }
  if (value) *value = v;
  return true;
}

bool string2d(std::string_view s, double* value) {
  if (s.empty() || is_c_space(s[0])) return false;
  // strtod needs a terminated string; an embedded NUL then fails the length check.
  std::string buf(s);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(buf.c_str(), &end);
  if (static_cast<size_t>(end - buf.c_str()) != s.size() ||
      (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) ||
      std::isnan(v)) {
    return false;
  }
  if (value) *value = v;
  return true;
}

std::string ld2string(long double value, LdMode mode) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[kMaxLongDoubleChars];
  int n = 0;
  switch (mode) {
    case LdMode::kAuto:
      n = std::snprintf(buf, sizeof(buf), "%.17Lg", value);
      break;
    case LdMode::kHuman:
      n = std::snprintf(buf, sizeof(buf), "%.17Lf", value);
      break;
  }
  if (n < 0 || static_cast<size_t>(n) + 1 > sizeof(buf)) return "";
  size_t len = static_cast<size_t>(n);
  if (mode == LdMode::kHuman) {
    if (std::memchr(buf, '.', len) != nullptr) {
      while (len > 0 && buf[len - 1] == '0') len--;
      if (len > 0 && buf[len - 1] == '.') len--;
    }
    if (len == 2 && buf[0] == '-' && buf[1] == '0') {
      buf[0] = '0';
      len = 1;
    }
  }
  return std::string(buf, len);
}

namespace {

// Unit multiplier of memtoll/memtoull; 0 for an unknown unit.
long long mem_unit(std::string_view unit) {
  std::string u(unit);
  for (char& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.empty() || u == "b") return 1;
  if (u == "k") return 1000;
  if (u == "kb") return 1024;
  if (u == "m") return 1000LL * 1000;
  if (u == "mb") return 1024LL * 1024;
  if (u == "g") return 1000LL * 1000 * 1000;
  if (u == "gb") return 1024LL * 1024 * 1024;
  return 0;
}

size_t leading_digits(std::string_view s, size_t from) {
  while (from < s.size() && s[from] >= '0' && s[from] <= '9') from++;
  return from;
}

}  // namespace

std::optional<long long> memtoll(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return std::nullopt;
  size_t u = leading_digits(s, !s.empty() && s[0] == '-' ? 1 : 0);
  long long mul = mem_unit(s.substr(u));
  if (mul == 0 || u >= 128) return std::nullopt;
  // Like the C code: strtoll over the digits, so "" and "-" read as 0.
  std::string digits(s.substr(0, u));
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(digits.c_str(), &end, 10);
  if ((v == 0 && errno == EINVAL) || *end != '\0') return std::nullopt;
  return static_cast<long long>(static_cast<unsigned long long>(v) * static_cast<unsigned long long>(mul));
}

std::optional<unsigned long long> memtoull(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return std::nullopt;
  if (!s.empty() && s[0] == '-') return std::nullopt;
  size_t u = leading_digits(s, 0);
  long long mul = mem_unit(s.substr(u));
  if (mul == 0 || u >= 128) return std::nullopt;
  std::string digits(s.substr(0, u));
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(digits.c_str(), &end, 10);
  if ((v == 0 && errno == EINVAL) || *end != '\0') return std::nullopt;
  if (v == ULLONG_MAX && errno == ERANGE) return std::nullopt;
  return v * static_cast<unsigned long long>(mul);  // wraps on overflow, as in Redis
}

}  // namespace vigil::util
