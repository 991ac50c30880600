// The vigil-cli commands. Each prints its report on stdout, errors on stderr,
// and returns the process exit status (see ExitCode in options.h).
#pragma once

#include "cli/options.h"

namespace vigil::cli {

int run_status(const Options& opts);
int run_failover(const Options& opts);
int run_drill(const Options& opts);

}  // namespace vigil::cli
