// The "#!lua flags=..." first line of a script, parsed as Redis 7.0's
// evalExtractShebangFlags does. A script without it runs in EVAL
// compatibility mode (no flags, writes allowed).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::node::scripting {

struct ScriptFlags {
  bool eval_compat = true;  // no shebang line
  bool no_writes = false;
  bool allow_oom = false;
  bool allow_stale = false;
  bool no_cluster = false;
  bool allow_cross_slot_keys = false;
};

// Parses the shebang of body (if any). On success fills flags and the length
// of the shebang line (without its '\n', which stays so line numbers match);
// on failure returns false with Redis's error text (without "ERR ").
bool parse_shebang(std::string_view body, ScriptFlags* flags, size_t* shebang_len, std::string* err);

}  // namespace vigil::node::scripting
