// Redis's glob matcher (util.c stringmatchlen): used by KEYS, SCAN MATCH,
// PSUBSCRIBE, CONFIG GET and SENTINEL patterns. Supports * ? [abc] [^a] [a-z]
// and \x escapes; nocase folds ASCII letters.
#pragma once

#include <string_view>

namespace vigil::util {

bool stringmatchlen(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace vigil::util
