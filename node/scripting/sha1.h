// SHA-1 as Redis's script cache names scripts (lowercase hex, 40 chars).
#pragma once

#include <string>
#include <string_view>

namespace vigil::node::scripting {

std::string sha1_hex(std::string_view data);

}  // namespace vigil::node::scripting
