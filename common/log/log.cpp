#include "common/log/log.h"

#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace vigil::log {

namespace {

std::atomic<char> g_role{'C'};
std::atomic<int> g_level{static_cast<int>(Level::kNotice)};

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::trace;
    case Level::kVerbose: return spdlog::level::debug;
    case Level::kNotice: return spdlog::level::info;
    case Level::kWarning: return spdlog::level::warn;
  }
  return spdlog::level::info;
}

char level_char(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return '.';
    case spdlog::level::debug: return '-';
    case spdlog::level::info: return '*';
    default: return '#';
  }
}

// Redis's timestamp: strftime("%d %b %Y %H:%M:%S.") + milliseconds, local time.
std::string timestamp(std::chrono::system_clock::time_point tp) {
  auto since = tp.time_since_epoch();
  time_t secs = static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(since).count());
  int millis = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000);
  struct tm tm;
  localtime_r(&secs, &tm);
  char buf[64];
  size_t off = strftime(buf, sizeof(buf), "%d %b %Y %H:%M:%S.", &tm);
  std::snprintf(buf + off, sizeof(buf) - off, "%03d", millis);
  return buf;
}

std::string render(char role, char lvl, std::chrono::system_clock::time_point tp, std::string_view msg) {
  return fmt::format("{}:{} {} {} {}", static_cast<int>(getpid()), role, timestamp(tp), lvl, msg);
}

// Formats every record as Redis does, whatever spdlog pattern machinery would do.
class RedisFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = render(g_role.load(), level_char(msg.level), msg.time,
                              std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<RedisFormatter>(); }
};

}  // namespace

std::optional<Level> parse_level(std::string_view s) {
  std::string v(s);
  if (strcasecmp(v.c_str(), "debug") == 0) return Level::kDebug;
  if (strcasecmp(v.c_str(), "verbose") == 0) return Level::kVerbose;
  if (strcasecmp(v.c_str(), "notice") == 0) return Level::kNotice;
  if (strcasecmp(v.c_str(), "warning") == 0) return Level::kWarning;
  return std::nullopt;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kVerbose: return "verbose";
    case Level::kNotice: return "notice";
    case Level::kWarning: return "warning";
  }
  return "notice";
}

bool setup(const Options& options, std::string* err) {
  spdlog::sink_ptr sink;
  if (options.logfile.empty()) {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  } else {
    // Probe with fopen first so the error carries errno like Redis's message.
    FILE* probe = std::fopen(options.logfile.c_str(), "a");
    if (probe == nullptr) {
      if (err) *err = std::string("Can't open the log file: ") + std::strerror(errno);
      return false;
    }
    std::fclose(probe);
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.logfile, false);
    } catch (const spdlog::spdlog_ex& e) {
      if (err) *err = std::string("Can't open the log file: ") + e.what();
      return false;
    }
  }
  auto logger = std::make_shared<spdlog::logger>("vigil", sink);
  logger->set_formatter(std::make_unique<RedisFormatter>());
  logger->flush_on(spdlog::level::trace);  // every line reaches the file at once, as in Redis
  g_role = options.role;
  spdlog::set_default_logger(logger);
  set_level(options.level);
  if (options.syslog_enabled) {
    warning("syslog-enabled is not supported by vigil; logging to {}",
            options.logfile.empty() ? "standard output" : options.logfile);
  }
  return true;
}

void set_level(Level level) {
  g_level = static_cast<int>(level);
  spdlog::default_logger_raw()->set_level(to_spdlog(level));
}

Level level() { return static_cast<Level>(g_level.load()); }

void set_role(char role) { g_role = role; }

void write(Level level, std::string_view message) {
  spdlog::default_logger_raw()->log(to_spdlog(level), "{}", message);
}

std::string format_line(Level level, std::string_view message) {
  return render(g_role.load(), level_char(to_spdlog(level)), std::chrono::system_clock::now(), message);
}

}  // namespace vigil::log
