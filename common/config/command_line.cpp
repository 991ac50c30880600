#include "common/config/command_line.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

#include "common/util/atomic_file.h"
#include "common/util/split_args.h"

namespace vigil::config {

namespace {

bool iequals(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

bool starts_with_dashdash(const std::string& s) { return s.size() >= 2 && s[0] == '-' && s[1] == '-'; }

std::string absolute_path(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  std::string out(cwd);
  if (out.back() != '/') out += '/';
  return out + path;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine out;
  size_t j = 0;
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    out.config_file = absolute_path(args[0]);
    j = 1;
  }
  const size_t argc = args.size();
  bool handled_last_config_arg = true;
  std::string& options = out.options;
  for (; j < argc; j++) {
    const std::string& arg = args[j];
    if (arg == "-" && (j == 0 || j == argc - 1)) {
      out.config_from_stdin = true;
    } else if (handled_last_config_arg && starts_with_dashdash(arg)) {
      if (!options.empty()) options += "\n";
      options += arg.substr(2);
      options += " ";
      auto words = util::split_args(arg);
      if (words && words->size() == 1) {
        // Only a name ("--port"): its value comes next.
        handled_last_config_arg = false;
        bool next_is_option = j != argc - 1 && starts_with_dashdash(args[j + 1]);
        if (next_is_option && iequals(arg, "--save")) {
          options += "\"\"";  // `--save --x v` means `save ""` (pre-7.0 compatibility)
          handled_last_config_arg = true;
        } else if (j == argc - 1 && iequals(arg, "--save")) {
          options += "\"\"";
        } else if (next_is_option && iequals(arg, "--sentinel")) {
          handled_last_config_arg = true;  // pseudo option without a value
        }
      } else {
        handled_last_config_arg = true;  // "--port 6380" given as one word
      }
    } else {
      options += repr(arg);
      options += " ";
      handled_last_config_arg = true;
    }
  }
  return out;
}

std::optional<std::string> assemble_config_text(const CommandLine& cmdline, std::string* error) {
  std::string config;
  if (cmdline.config_file) {
    std::string content;
    if (!util::read_file(*cmdline.config_file, &content)) {
      if (error) {
        *error = "Fatal error, can't open config file '" + *cmdline.config_file + "': " + std::strerror(errno);
      }
      return std::nullopt;
    }
    config += content;
  }
  if (cmdline.config_from_stdin) {
    config.append(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (!cmdline.options.empty()) {
    config += "\n";
    config += cmdline.options;
  }
  return config;
}

}  // namespace vigil::config
