// vigil-sentinel: invoked like redis-sentinel.
//   vigil-sentinel [config-file] [--directive value ...] [--test-config]
// config-file: *.yaml / *.yml = native YAML (never rewritten, state file in
// `dir`), anything else = a Redis sentinel.conf (state lines rewritten into it).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/log/log.h"
#include "sentinel/server/daemon.h"
#include "sentinel/server/daemon_config.h"
#include "sentinel/server/state_store.h"

namespace {

using vigil::sentinel::server::Daemon;
using vigil::sentinel::server::DaemonConfig;

void usage() {
  std::fprintf(stderr,
               "Usage: vigil-sentinel [/path/to/sentinel.conf|sentinel.yaml] [options] [--test-config]\n"
               "       vigil-sentinel -v or --version\n"
               "       vigil-sentinel -h or --help\n\n"
               "Examples:\n"
               "       vigil-sentinel /etc/redis/sentinel.conf\n"
               "       vigil-sentinel /etc/vigil/sentinel.yaml --port 26380\n"
               "       vigil-sentinel --port 26379 --sentinel monitor mymaster 127.0.0.1 6379 2\n");
}

// Classic double-fork-free daemonize, as Redis: fork, parent exits, setsid,
// stdio to /dev/null.
void daemonize() {
  if (fork() != 0) _exit(0);
  setsid();
  int fd = open("/dev/null", O_RDWR);
  if (fd != -1) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

// True when the state file exists and was written after the config file.
bool state_file_is_newer(const std::string& state_path, const std::string& config_path) {
  struct stat st {}, conf {};
  if (stat(state_path.c_str(), &st) != 0) return false;
  if (stat(config_path.c_str(), &conf) != 0) return true;
  if (st.st_mtim.tv_sec != conf.st_mtim.tv_sec) return st.st_mtim.tv_sec > conf.st_mtim.tv_sec;
  return st.st_mtim.tv_nsec > conf.st_mtim.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    std::printf("vigil-sentinel v=0.1.0 (Redis Sentinel 7.0 compatible)\n");
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    usage();
    return 0;
  }

  DaemonConfig cfg;
  if (std::string err = vigil::sentinel::server::load_config(args, cfg); !err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  if (cfg.format == DaemonConfig::Format::kNone) {
    // Redis refuses to run a sentinel without a config file; we accept a purely
    // command-line configuration and keep the state in `dir`.
    cfg.format = DaemonConfig::Format::kYaml;
  }
  // YAML (and command-line-only) mode: runtime state lives in the state file.
  // So it does for a sentinel.conf the daemon cannot rewrite (read-only file or
  // directory), and for one whose rewrite failed at runtime: a state file
  // newer than the sentinel.conf holds the latest state.
  if (cfg.format == DaemonConfig::Format::kYaml ||
      !vigil::sentinel::server::sentinel_conf_unwritable_reason(cfg.config_path).empty() ||
      state_file_is_newer(vigil::sentinel::server::state_file_path(cfg), cfg.config_path)) {
    const std::string path = vigil::sentinel::server::state_file_path(cfg);
    if (std::string err = vigil::sentinel::server::merge_state_file(path, cfg); !err.empty()) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
  }
  if (cfg.test_config) {
    std::printf("Configuration test passed: %zu master(s)\n", cfg.core.masters.size());
    return 0;
  }
  if (cfg.daemonize && cfg.supervised != "systemd") daemonize();
  vigil::log::Options log_options;
  log_options.logfile = cfg.logfile;
  log_options.role = 'X';   // Redis's role character for a sentinel
  if (auto level = vigil::log::parse_level(cfg.loglevel)) log_options.level = *level;
  if (std::string err; !vigil::log::setup(log_options, &err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  if (chdir(cfg.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s': %s\n", cfg.dir.c_str(), std::strerror(errno));
    return 1;
  }
  cfg.dir = std::string(1, '.');   // relative state paths now resolve inside dir

  if (!cfg.pidfile.empty()) {
    if (FILE* fp = std::fopen(cfg.pidfile.c_str(), "w")) {
      std::fprintf(fp, "%d\n", static_cast<int>(getpid()));
      std::fclose(fp);
    }
  }

  uv_loop_t* loop = uv_default_loop();
  signal(SIGPIPE, SIG_IGN);
  int exit_code = 0;
  {
    Daemon daemon(loop, cfg);
    if (std::string err = daemon.start(); !err.empty()) {
      daemon.log(vigil::sentinel::LogLevel::Warning, "Failed to start: " + err);
      exit_code = 1;
      daemon.shutdown();
    }
    uv_signal_t sigterm, sigint;
    uv_signal_init(loop, &sigterm);
    uv_signal_init(loop, &sigint);
    sigterm.data = sigint.data = &daemon;
    auto on_signal = [](uv_signal_t* s, int signum) {
      auto* d = static_cast<Daemon*>(s->data);
      d->log(vigil::sentinel::LogLevel::Warning,
             std::string("Received ") + (signum == SIGINT ? "SIGINT" : "SIGTERM") +
                 " scheduling shutdown...");
      d->shutdown();
      uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
    };
    if (exit_code == 0) {
      uv_signal_start(&sigterm, on_signal, SIGTERM);
      uv_signal_start(&sigint, on_signal, SIGINT);
      // Once shutdown starts the other signal handle must not keep the loop alive.
      uv_unref(reinterpret_cast<uv_handle_t*>(&sigterm));
      uv_unref(reinterpret_cast<uv_handle_t*>(&sigint));
    }
    uv_run(loop, UV_RUN_DEFAULT);
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&sigterm)))
      uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&sigint)))
      uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_run(loop, UV_RUN_DEFAULT);
  }
  uv_run(loop, UV_RUN_DEFAULT);   // close callbacks of the daemon's handles
  uv_loop_close(loop);
  if (!cfg.pidfile.empty()) unlink(cfg.pidfile.c_str());
  return exit_code;
}
