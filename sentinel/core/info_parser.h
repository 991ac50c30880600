// Parser of the INFO text of a Redis-compatible node: the fields Sentinel reads
// (reference §4). Pure and total: any input is accepted, unknown lines are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/types.h"

namespace vigil::sentinel {

struct InfoReplicaEntry {  // one `slave<N>:` line of a master's INFO
  std::string ip;
  int port = 0;
};

enum class ReportedRole : uint8_t { Unknown, Master, Slave };

struct InfoReport {
  std::optional<std::string> run_id;  // `run_id:` with 40 chars
  ReportedRole role = ReportedRole::Unknown;
  std::vector<InfoReplicaEntry> replicas;  // `slaveN:` lines (any state)
  // `master_link_down_since_seconds` × 1000 (0 when absent, −1000 when never connected)
  TimeMs master_link_down_time = 0;
  // The fields below are read only after `role:slave` was seen (as Redis does).
  std::optional<std::string> master_host;
  std::optional<int> master_port;
  std::optional<bool> master_link_up;
  std::optional<int> slave_priority;
  std::optional<int64_t> slave_repl_offset;
  std::optional<bool> replica_announced;
  // `master_repl_offset` (any role): used by vigil's lossless manual failover.
  std::optional<int64_t> master_repl_offset;
};

InfoReport parse_info(std::string_view text);

}  // namespace vigil::sentinel
