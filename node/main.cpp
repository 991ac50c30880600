// vigil-node: invoked as redis-server is,
//   vigil-node [config-file] [--directive value ...]
// The config file is YAML or redis.conf (told apart by content); command-line
// directives apply after it. Logs like Redis, "Ready to accept connections",
// SIGTERM/SIGINT shut down cleanly (saving per the save points), supervised
// systemd gets READY=1.
#include <fcntl.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/config/command_line.h"
#include "common/config/directives.h"
#include "common/config/registry.h"
#include "common/config/yaml_config.h"
#include "common/log/log.h"
#include "node/persistence/persistence.h"
#include "node/replication/replication.h"
#include "node/server/node_config.h"
#include "node/server/node_server.h"

namespace {

using namespace vigil;

constexpr const char* kVersion = "7.0.15";

[[noreturn]] void fatal_config(const config::ConfigError& e) {
  std::cerr << config::format_fatal_error(e, kVersion);
  std::exit(1);
}

bool read_file(const std::string& path, std::string* out, std::string* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *err = "Fatal error, can't open config file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// Loads the file and command-line directives into the registry (exits on error, as Redis).
void load_config(const std::vector<std::string>& args, config::ConfigRegistry& reg, node::NodeConfig& cfg) {
  config::CommandLine cl = config::parse_command_line(args);
  std::vector<config::Directive> directives;
  config::ConfigError error;
  std::string file_text;
  std::string err;
  if (cl.config_file) {
    if (!read_file(*cl.config_file, &file_text, &err)) {
      std::cerr << err << "\n";
      std::exit(1);
    }
    cfg.config_file = *cl.config_file;
    cfg.config_is_yaml = config::is_yaml(file_text);
  }
  if (cfg.config_is_yaml) {
    auto yaml = config::parse_yaml(file_text, &error);
    if (!yaml) fatal_config(error);
    for (const auto& section : yaml->sections) {
      fatal_config({section.line, section.key + ":", "Bad directive or wrong number of arguments"});
    }
    directives = std::move(yaml->directives);
    auto extra = config::parse_directives(cl.options, &error);
    if (!extra) fatal_config(error);
    directives.insert(directives.end(), extra->begin(), extra->end());
  } else {
    auto text = config::assemble_config_text(cl, &err);
    if (!text) {
      std::cerr << err << "\n";
      std::exit(1);
    }
    auto parsed = config::parse_directives(*text, &error);
    if (!parsed) fatal_config(error);
    directives = std::move(*parsed);
  }
  cfg.loading_file = true;
  auto failure = reg.apply_directives(directives);
  cfg.loading_file = false;
  if (failure) fatal_config(*failure);
}

void daemonize() {
  if (fork() != 0) std::exit(0);  // parent
  setsid();
  int fd = open("/dev/null", O_RDWR);
  if (fd != -1) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

void write_pidfile(const std::string& path) {
  if (path.empty()) return;
  FILE* f = fopen(path.c_str(), "w");
  if (f == nullptr) {
    log::warning("Failed to write PID file: {}", std::strerror(errno));
    return;
  }
  fprintf(f, "%d\n", static_cast<int>(getpid()));
  fclose(f);
}

struct Daemon {
  uv_loop_t* loop;
  node::NodeServer* server;
  node::persistence::Persistence* persistence;
  std::vector<uv_signal_t*> signals;
  bool shutting_down = false;

  // Shared by SIGTERM/SIGINT and SHUTDOWN. Returns "" once the shutdown is under way.
  std::string shutdown(bool save, bool nosave) {
    if (shutting_down) return {};
    log::notice("User requested shutdown...");
    std::string err = persistence->shutdown(save, nosave);
    if (!err.empty()) {
      log::warning("{}", err);
      return "ERR Errors trying to SHUTDOWN. Check logs.";
    }
    shutting_down = true;
    log::notice("Redis is now ready to exit, bye bye...");
    for (uv_signal_t* s : signals) {
      uv_close(reinterpret_cast<uv_handle_t*>(s), [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
    }
    signals.clear();
    server->stop();
    return {};
  }

  static void on_signal(uv_signal_t* h, int signum) {
    auto* d = static_cast<Daemon*>(h->data);
    log::warning("Received {} scheduling shutdown...", signum == SIGINT ? "SIGINT" : "SIGTERM");
    if (!d->shutdown(false, false).empty()) log::warning("SIGTERM received but errors trying to shut down the server, check the logs for more information");
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "-v" || args[0] == "--version")) {
    std::printf("Redis server v=%s sha=00000000:0 malloc=libc bits=64 build=0 (vigil-node)\n", kVersion);
    return 0;
  }
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    std::fprintf(stderr,
                 "Usage: ./vigil-node [/path/to/redis.conf|/path/to/vigil.yaml] [options] [-]\n"
                 "       ./vigil-node - (read config from stdin)\n"
                 "       ./vigil-node -v or --version\n"
                 "       ./vigil-node -h or --help\n\n"
                 "Examples:\n"
                 "       ./vigil-node (run the server with default config)\n"
                 "       ./vigil-node /etc/redis/6379.conf\n"
                 "       ./vigil-node --port 7777\n"
                 "       ./vigil-node /etc/myredis.conf --loglevel verbose\n");
    return 0;
  }

  node::NodeConfig cfg;
  node::replication::ReplicationConfig repl_cfg;
  config::ConfigRegistry reg;
  node::register_node_config(reg, cfg);
  node::replication::register_replication_config(reg, repl_cfg);
  node::register_accepted_only_config(reg, cfg);
  load_config(args, reg, cfg);

  if (cfg.daemonize) daemonize();
  std::string log_err;
  if (!log::setup({cfg.logfile, cfg.loglevel, 'C', false}, &log_err)) {
    std::fprintf(stderr, "%s\n", log_err.c_str());
    return 1;
  }
  log::notice("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
  log::notice("Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started", kVersion,
              static_cast<int>(getpid()));
  if (cfg.config_file.empty()) {
    log::warning("Warning: no config file specified, using the default config. In order to specify a config "
                 "file use ./vigil-node /path/to/redis.conf");
  } else {
    log::notice("Configuration loaded");
  }
  if (cfg.port == 0) {
    log::warning("Configured to not listen anywhere, exiting.");
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);
  write_pidfile(cfg.pidfile);
  log::set_role('M');

  uv_loop_t* loop = uv_default_loop();
  int rc = 0;
  {
    node::NodeServer server(loop, cfg, reg);
    node::persistence::Persistence persistence(server, cfg.persistence);
    server.add_propagator(&persistence);  // the AOF feed
    // Adds itself as a propagator and installs ROLE / INFO replication / the write gate.
    node::replication::Replication replication(server, repl_cfg);
    Daemon daemon{loop, &server, &persistence, {}};
    server.on_shutdown = [&daemon](bool save, bool nosave) { return daemon.shutdown(save, nosave); };

    log::notice("Running mode=standalone, port={}.", cfg.port);
    log::notice("Server initialized");
    std::string err = persistence.load_at_startup();
    if (!err.empty()) {
      log::warning("{}", err);
      return 1;
    }
    replication.after_load();  // adopts the replication id/offset saved in the RDB
    err = persistence.start();
    if (!err.empty()) {
      log::warning("{}", err);
      return 1;
    }
    err = server.start();
    if (!err.empty()) {
      log::warning("{}", err);
      return 1;
    }
    replication.start();  // connects to the configured master
    for (int signum : {SIGTERM, SIGINT}) {
      auto* h = new uv_signal_t;
      uv_signal_init(loop, h);
      h->data = &daemon;
      uv_signal_start(h, Daemon::on_signal, signum);
      daemon.signals.push_back(h);
    }
    log::notice("Ready to accept connections");
    if (cfg.supervised == "systemd" || (cfg.supervised == "auto" && getenv("NOTIFY_SOCKET"))) {
      sd_notify(0, "STATUS=Ready to accept connections\nREADY=1");
    }
    uv_run(loop, UV_RUN_DEFAULT);
    rc = daemon.shutting_down ? 0 : 1;
  }
  uv_run(loop, UV_RUN_NOWAIT);  // close callbacks of the server's last handles
  if (!cfg.pidfile.empty()) unlink(cfg.pidfile.c_str());
  uv_loop_close(loop);
  return rc;
}
