// A tiny deterministic world for unit tests of the sentinel core: one Sentinel under test,
// fake Redis nodes (masters/replicas answering PING/INFO/SLAVEOF/...) and fake peer
// sentinels answering IS-MASTER-DOWN-BY-ADDR. Replies are delivered at the same virtual
// time as the command (zero latency) unless a node is dead or muted.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/api.h"

namespace vigil::sentinel::test {

struct FakeNode {
  Address addr;
  std::string runid;
  bool alive = true;   // dead: connections refused / dropped
  bool muted = false;  // connected but never answers (e.g. SIGSTOP)
  bool master = true;
  Address replica_of;  // when !master
  int priority = 100;
  int64_t offset = 0;
  bool paused = false;
  bool accept_pause = true;
  bool link_stuck_down = false;  // as a replica: master_link_status stays down
  std::string ping_reply = "PONG";  // "-LOADING ..." replies an error
  // When set, SLAVEOF NO ONE takes effect only at this virtual time (promotion latency).
  TimeMs promote_delay = 0;
  std::optional<TimeMs> promote_at;
};

struct FakePeer {  // another sentinel, reached through its command connection
  Address addr;
  std::string runid;
  bool alive = true;
  bool says_down = true;
  uint64_t voted_epoch = 0;
  std::string voted_for;
  bool votes = true;  // grants votes (once per epoch, first requester wins)
  std::string forced_vote;  // when set: reports a vote for this runid in the asked epoch
};

class World {
 public:
  explicit World(Config cfg, std::optional<PersistedState> state = std::nullopt, TimeMs start = 1000);

  Sentinel& s() { return *sentinel_; }
  TimeMs now() const { return now_; }

  FakeNode& add_node(const std::string& host, int port, const std::string& runid);
  FakeNode& node(const std::string& name) { return nodes_.at(name); }
  FakePeer& add_peer(const std::string& host, int port, const std::string& runid);
  FakePeer& peer(const std::string& name) { return peers_.at(name); }
  // Deliver a hello from `peer` for master `master_name` to the sentinel (pub/sub path).
  void hello_from(const FakePeer& peer, const std::string& master_name, const Address& master_addr,
                  uint64_t config_epoch, uint64_t current_epoch);
  // Kill a node: its open connections drop now.
  void kill(const std::string& name);

  void tick();                         // one tick at now()
  void run_for(TimeMs duration, TimeMs step = 100);
  // Run until `pred` holds (checked after each tick) or `limit` elapses; true if it held.
  bool run_until(const std::function<bool()>& pred, TimeMs limit, TimeMs step = 100);
  void drain();  // execute pending effects of the sentinel (after a direct API call)

  // Observations
  std::vector<PublishEventEffect> events;
  std::vector<std::pair<TimeMs, std::string>> event_times;  // (time, channel)
  std::vector<PersistedState> persists;
  std::vector<SendCommandEffect> commands;
  std::vector<ConnectEffect> connects;
  std::vector<RunScriptEffect> scripts;
  std::vector<std::string> effect_order;  // kind names in execution order
  bool crashed = false;

  int count_events(const std::string& channel) const;
  std::optional<std::string> last_event(const std::string& channel) const;
  std::optional<TimeMs> first_event_time(const std::string& channel) const;
  int count_commands(const std::string& addr_name, const std::vector<std::string>& prefix) const;

 private:
  struct Conn {
    Address addr;
    Connection which;
  };
  void execute(std::vector<Effect> batch);
  std::optional<Reply> answer(const Address& addr, const std::vector<std::string>& argv);
  std::string info_of(const FakeNode& n) const;
  void apply_promotions();

  std::unique_ptr<Sentinel> sentinel_;
  TimeMs now_;
  std::map<std::string, FakeNode> nodes_;
  std::map<std::string, FakePeer> peers_;
  std::map<ConnId, Conn> conns_;
  std::vector<std::pair<RequestId, Reply>> queued_replies_;
};

Config basic_config(int quorum = 2, TimeMs down_after = 5000);

}  // namespace vigil::sentinel::test
