// Arguments Redis keeps out of MONITOR and SLOWLOG (passwords), shown there
// as "(redacted)".
#pragma once

#include <string>
#include <vector>

namespace vigil::node {

inline constexpr const char* kRedacted = "(redacted)";

// One flag per argument of argv (argv not empty): true = show kRedacted.
std::vector<bool> redacted_args(const std::vector<std::string>& argv);

}  // namespace vigil::node
