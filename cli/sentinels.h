// What each sentinel says about one group: the sentinels given on the command
// line plus the peers they know (SENTINEL SENTINELS), deduplicated by run id.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/conn.h"
#include "cli/options.h"

namespace vigil::cli {

using Fields = std::map<std::string, std::string>;

struct SentinelView {
  Endpoint addr;
  bool discovered = false;        // learnt through a peer's SENTINEL SENTINELS
  std::string myid;
  std::string error;              // unreachable / auth failure: nothing else is set
  bool knows_group = false;       // false: "No such master with that name"
  std::string group_error;        // the sentinel's error text when !knows_group
  std::optional<Endpoint> master_addr;   // GET-MASTER-ADDR-BY-NAME
  Fields master;                  // SENTINEL MASTER
  std::vector<Fields> replicas;   // SENTINEL REPLICAS
  std::vector<Fields> sentinels;  // SENTINEL SENTINELS
  bool quorum_ok = false;         // SENTINEL CKQUORUM
  std::string quorum_message;

  bool answered() const { return error.empty() && knows_group; }
};

enum class Detail {
  kAddress,  // MYID, GET-MASTER-ADDR-BY-NAME, SENTINELS (failover, drill)
  kFull,     // + MASTER, REPLICAS, CKQUORUM (status)
};

// Queries opts.sentinels and (if opts.discover) every peer they report.
std::vector<SentinelView> gather(const Options& opts, const std::string& group, Detail detail);

// The master address most answering sentinels report (ties: the first seen).
std::optional<Endpoint> majority_master(const std::vector<SentinelView>& views);

// GET-MASTER-ADDR-BY-NAME on one connection: the address, or nullopt with *err
// ("" when the sentinel answered a null: it does not know the group).
std::optional<Endpoint> ask_master_addr(Connection& c, const std::string& group, std::string* err);

// Milliseconds on a monotonic clock (for elapsed times).
long long now_ms();

}  // namespace vigil::cli
