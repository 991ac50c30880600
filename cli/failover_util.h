// Shared by status, failover and drill: asking a node its role and its
// replication state, and waiting for every sentinel to agree on a new master.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/conn.h"
#include "cli/options.h"

namespace vigil::cli {

// The first element of ROLE ("master", "slave", "sentinel"), "" if it did not answer.
std::string node_role(const Options& opts, const Endpoint& node);

// The master's view of replication, read directly from the node (INFO
// replication): its offset and each replica's acknowledged offset
// ("ip:port" -> offset), live rather than the sentinels' INFO cache.
struct MasterReplication {
  long long offset = 0;
  std::map<std::string, long long> replica_offsets;
  int online = 0;  // replicas in state=online
};

std::optional<MasterReplication> master_replication(const Options& opts, const Endpoint& master);

// Polls GET-MASTER-ADDR-BY-NAME on a fixed set of sentinels, keeping connections open.
class AgreementPoller {
 public:
  AgreementPoller(const Options& opts, std::vector<Endpoint> sentinels);
  // One round: the address every sentinel reports, if they all report the same
  // one and it is not old_master; nullopt otherwise.
  std::optional<Endpoint> poll(const Endpoint& old_master);
  // What each sentinel said last, one line each (for error messages).
  std::string describe() const;

 private:
  const Options& opts_;
  std::vector<Endpoint> sentinels_;
  std::vector<std::unique_ptr<Connection>> conns_;
  std::vector<std::optional<Endpoint>> seen_;
  std::vector<std::string> errors_;
};

}  // namespace vigil::cli
