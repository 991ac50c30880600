// Replication / AOF propagation hook. The dispatcher hands every successful
// write command (as CommandContext::propagated, or its argv) to each installed
// Propagator (NodeServer::add_propagator), together with the database it ran
// in. The replication and AOF modules implement it; with none installed,
// nothing is propagated.
#pragma once

#include <string>
#include <vector>

namespace vigil::node {

class Propagator {
 public:
  virtual ~Propagator() = default;
  // One command as it must be replayed on a replica / in the AOF, in database `db`.
  // Called in execution order; a MULTI/EXEC is propagated as MULTI, the commands, EXEC.
  virtual void propagate(int db, const std::vector<std::string>& argv) = 0;
};


}  // namespace vigil::node
