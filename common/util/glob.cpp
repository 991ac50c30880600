#include "common/util/glob.h"

namespace vigil::util {

namespace {

// Bytes compare as C's (signed) char does in the original, so ranges over
// bytes >= 0x80 behave identically.
int byte_at(std::string_view s, size_t i) {
  return i < s.size() ? static_cast<signed char>(s[i]) : 0;
}

int fold(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

// Bounds the recursion on patterns with very many '*' (stack safety).
constexpr int kMaxNesting = 1000;

// p/s index into pattern/str; the C code's pointer arithmetic mapped to offsets.
bool match_impl(std::string_view pat, size_t p, std::string_view str, size_t s, bool nocase,
                bool* skip_longer, int nesting) {
  if (nesting > kMaxNesting) return false;
  while (p < pat.size() && s < str.size()) {
    switch (pat[p]) {
      case '*': {
        while (p + 1 < pat.size() && pat[p + 1] == '*') p++;
        if (p + 1 == pat.size()) return true;
        while (s < str.size()) {
          if (match_impl(pat, p + 1, str, s, nocase, skip_longer, nesting + 1)) return true;
          if (*skip_longer) return false;
          s++;
        }
        // No match for the rest from any later position: earlier stars
        // cannot help either (Redis's fix for exponential KEYS patterns).
        *skip_longer = true;
        return false;
      }
      case '?':
        s++;
        break;
      case '[': {
        p++;
        bool negate = byte_at(pat, p) == '^';
        if (negate) p++;
        bool match = false;
        int c = byte_at(str, s);
        while (true) {
          size_t left = pat.size() - p;
          if (byte_at(pat, p) == '\\' && left >= 2) {
            p++;
            if (byte_at(pat, p) == c) match = true;
          } else if (byte_at(pat, p) == ']') {
            break;
          } else if (left == 0) {
            p--;
            break;
          } else if (left >= 3 && byte_at(pat, p + 1) == '-') {
            int start = byte_at(pat, p), end = byte_at(pat, p + 2), cc = c;
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = fold(start);
              end = fold(end);
              cc = fold(cc);
            }
            p += 2;
            if (cc >= start && cc <= end) match = true;
          } else if (nocase ? fold(byte_at(pat, p)) == fold(c) : byte_at(pat, p) == c) {
            match = true;
          }
          p++;
        }
        if (negate) match = !match;
        if (!match) return false;
        s++;
        break;
      }
      case '\\':
        if (pat.size() - p >= 2) p++;
        [[fallthrough]];
      default: {
        int a = byte_at(pat, p), b = byte_at(str, s);
        if (nocase ? fold(a) != fold(b) : a != b) return false;
        s++;
        break;
      }
    }
    p++;
    if (s == str.size()) {
      while (p < pat.size() && pat[p] == '*') p++;
      break;
    }
  }
  return p >= pat.size() && s == str.size();
}

}  // namespace

bool stringmatchlen(std::string_view pattern, std::string_view str, bool nocase) {
  bool skip_longer = false;
  return match_impl(pattern, 0, str, 0, nocase, &skip_longer, 0);
}

}  // namespace vigil::util
