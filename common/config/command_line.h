// Redis-style command line: `prog [config-file] [--directive value ...]`.
// Follows redis-server 7.0's main(): options become config text appended after
// the file (and stdin) content, so `--port 6380 --bind a b` behaves as the
// lines `port "6380"` and `bind "a" "b"`, and errors point at the same line
// numbers Redis reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/config/directives.h"

namespace vigil::config {

struct CommandLine {
  std::optional<std::string> config_file;  // absolute path of argv[1] when it is not an option
  bool config_from_stdin = false;          // a lone "-" first or last
  std::string options;                     // "port \"6380\" \nbind \"a\" \"b\" " (Redis's text)
};

// args excludes the program name. A word starting with "--" starts a new
// directive only once the previous one has an argument (so `--port --x`
// gives port the value "--x", as Redis does); `--save` / `--sentinel` with no
// value follow Redis's special cases.
CommandLine parse_command_line(const std::vector<std::string>& args);

// The full configuration text Redis would parse: file content, then stdin,
// then "\n" + options. Returns nullopt with *error set when the file cannot be
// read ("Fatal error, can't open config file '<path>': <strerror>").
std::optional<std::string> assemble_config_text(const CommandLine& cmdline, std::string* error);

}  // namespace vigil::config
