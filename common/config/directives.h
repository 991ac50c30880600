// redis.conf-style configuration text → directive list, with Redis 7.0's
// loadServerConfigFromString rules: lines split on '\n', trimmed of " \t\r\n",
// '#' comments and blank lines skipped, arguments split with sdssplitargs,
// the directive name lower-cased. The same Directive list is produced from
// YAML files (yaml_config.h) and from the command line (command_line.h), so
// the daemons apply one list whatever the source.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::config {

struct Directive {
  std::string name;               // lower-case ("port", "sentinel", ...)
  std::vector<std::string> args;  // arguments after the name
  int line = 0;                   // 1-based line in the source text
  std::string text;               // the trimmed source line, for error messages
};

// A config error located at a line, reported in Redis's fatal format.
struct ConfigError {
  int line = 0;       // 0 = not tied to a line (then no "at line" part)
  std::string text;   // the offending line as written
  std::string message;
};

// Parses configuration text. On unbalanced quotes returns nullopt and fills
// *error ("Unbalanced quotes in configuration line").
std::optional<std::vector<Directive>> parse_directives(std::string_view text, ConfigError* error);

// Redis's fatal message, byte for byte (leading blank line included):
//   \n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n
//   Reading the configuration file, at line 2\n
//   >>> 'foo bar'\n
//   Bad directive or wrong number of arguments\n
std::string format_fatal_error(const ConfigError& error, std::string_view version = "7.0.15");

// sdscatrepr: "quoted" with \\ \" \n \r \t \a \b escapes and \xHH for other
// non-printable bytes. Used when command-line options become config text and
// when CONFIG REWRITE writes string values.
std::string repr(std::string_view s);

// One directive as a config line: name followed by args, each arg written
// bare when that reads back identically, otherwise repr()-quoted.
std::string format_line(std::string_view name, const std::vector<std::string>& args);

}  // namespace vigil::config
