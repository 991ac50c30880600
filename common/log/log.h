// Logging with Redis's line format, on spdlog:
//   12345:M 22 Nov 2026 01:02:03.456 * Ready to accept connections
// pid, role char (M master, S replica, X sentinel, C child/startup), local
// time with milliseconds, level char (. debug, - verbose, * notice, # warning).
// Redis levels map onto spdlog as debug->trace, verbose->debug, notice->info,
// warning->warn, so spdlog calls elsewhere also come out right.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <string_view>

namespace vigil::log {

enum class Level { kDebug, kVerbose, kNotice, kWarning };

// "debug" | "verbose" | "notice" | "warning" (case-insensitive), as loglevel.
std::optional<Level> parse_level(std::string_view s);
std::string_view level_name(Level level);

struct Options {
  std::string logfile;        // "" = standard output (Redis's default)
  Level level = Level::kNotice;
  char role = 'C';            // until the daemon knows what it is
  bool syslog_enabled = false;  // not supported: a warning is logged, the file is used
};

// Installs the process-wide logger (also spdlog's default logger). Returns
// false with *err ("Can't open the log file: <strerror>") when logfile cannot
// be opened; the previous logger stays in place then.
bool setup(const Options& options, std::string* err = nullptr);

void set_level(Level level);
Level level();
void set_role(char role);  // e.g. 'S' after REPLICAOF, 'M' after promotion

void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void verbose(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kVerbose, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void notice(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kNotice, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
}

// The formatted prefix-less line format, for tests: "<pid>:<role> <time> <c> <msg>".
std::string format_line(Level level, std::string_view message);

}  // namespace vigil::log
