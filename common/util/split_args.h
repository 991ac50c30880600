// Redis's sdssplitargs: splits a line into arguments the way redis-server
// splits inline commands and redis.conf lines. Handles "double quotes" with
// \n \r \t \b \a \xHH escapes, 'single quotes' with \' only, and requires a
// closing quote to be followed by a blank or the end of the line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::util {

// Returns nullopt on unbalanced quotes (or a closing quote followed by a
// non-blank), as sdssplitargs returns NULL. Like the C original, a NUL byte
// ends the line.
std::optional<std::vector<std::string>> split_args(std::string_view line);

}  // namespace vigil::util
