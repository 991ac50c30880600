// Range arguments of the sorted-set commands: score intervals ("(1", "-inf")
// and lexicographic intervals ("[a", "(b", "-", "+"), parsed exactly as
// Redis 7.0's zslParseRange / zslParseLexRange.
#pragma once

#include <string>

#include "node/store/zset.h"

namespace vigil::node::data {

inline constexpr std::string_view kErrMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kErrMinMaxNotLex = "ERR min or max not valid string range item";

bool parse_score_range(const std::string& min, const std::string& max, store::ScoreRange* out);
bool parse_lex_range(const std::string& min, const std::string& max, store::LexRange* out);

}  // namespace vigil::node::data
