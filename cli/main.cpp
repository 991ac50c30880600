// vigil-cli: the operator's shell tool for a Sentinel-monitored group.
//   vigil-cli [-h host] [-p port]... [--sentinel host:port]... [-a password] <command>
// Commands: status, failover, drill (see --help and cli/README.md).
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"

namespace {
constexpr const char* kVersion = "0.1.0";
}

int main(int argc, char** argv) {
  using namespace vigil::cli;
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing mid-write is an error reply, not a crash
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  const ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "vigil-cli: %s\n", parsed.error.c_str());
    return kExitUsage;
  }
  const Options& opts = parsed.options;
  switch (opts.command) {
    case Command::kHelp:
      std::fputs(usage_text(opts.help_topic).c_str(), stdout);
      return kExitOk;
    case Command::kVersion:
      std::printf("vigil-cli %s\n", kVersion);
      return kExitOk;
    case Command::kStatus:
      return run_status(opts);
    case Command::kFailover:
      return run_failover(opts);
    case Command::kDrill:
      return run_drill(opts);
    case Command::kNone:
      break;
  }
  std::fputs(usage_text("").c_str(), stderr);
  return kExitUsage;
}
