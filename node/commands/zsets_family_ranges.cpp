#include "node/commands/zsets_family_ranges.h"

#include <cmath>
#include <cstdlib>

namespace vigil::node::data {
namespace {

// strtod over the whole argument (Redis accepts what strtod accepts, even "").
bool parse_score_bound(const std::string& arg, double* value, bool* exclusive) {
  const char* p = arg.c_str();
  *exclusive = false;
  if (*p == '(') {
    *exclusive = true;
    ++p;
  }
  char* end = nullptr;
  *value = std::strtod(p, &end);
  return *end == '\0' && end == arg.c_str() + arg.size() && !std::isnan(*value);
}

bool parse_lex_bound(const std::string& arg, store::LexBound* out) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
      if (arg.size() != 1) return false;
      out->kind = store::LexBound::kPosInf;
      out->exclusive = true;
      return true;
    case '-':
      if (arg.size() != 1) return false;
      out->kind = store::LexBound::kNegInf;
      out->exclusive = true;
      return true;
    case '(':
    case '[':
      out->kind = store::LexBound::kValue;
      out->exclusive = arg[0] == '(';
      out->value = arg.substr(1);
      return true;
    default:
      return false;
  }
}

}  // namespace

bool parse_score_range(const std::string& min, const std::string& max, store::ScoreRange* out) {
  return parse_score_bound(min, &out->min, &out->min_exclusive) &&
         parse_score_bound(max, &out->max, &out->max_exclusive);
}

bool parse_lex_range(const std::string& min, const std::string& max, store::LexRange* out) {
  return parse_lex_bound(min, &out->min) && parse_lex_bound(max, &out->max);
}

}  // namespace vigil::node::data
