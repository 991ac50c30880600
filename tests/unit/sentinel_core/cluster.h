// Standard topology for scenario tests: master 127.0.0.1:6379 with replicas :6380 and
// :6381, two peer sentinels (26380, 26381), quorum 2, down-after 5000, failover-timeout 60 s.
#pragma once

#include "world.h"

namespace vigil::sentinel::test {

inline std::string rid(char c) { return std::string(40, c); }

inline const Address kMaster{"127.0.0.1", 6379};
inline const Address kReplica1{"127.0.0.1", 6380};
inline const Address kReplica2{"127.0.0.1", 6381};

struct Cluster {
  explicit Cluster(Config cfg = basic_config()) : w(std::move(cfg)) {
    w.add_node("127.0.0.1", 6379, rid('m'));
    FakeNode& r1 = w.add_node("127.0.0.1", 6380, rid('1'));
    r1.master = false;
    r1.replica_of = kMaster;
    FakeNode& r2 = w.add_node("127.0.0.1", 6381, rid('2'));
    r2.master = false;
    r2.replica_of = kMaster;
    w.add_peer("10.0.0.2", 26380, rid('b'));
    w.add_peer("10.0.0.3", 26381, rid('c'));
    w.run_for(1000);  // connect, INFO, replicas discovered
    hellos();
    w.run_for(2000);
  }
  void hellos(uint64_t config_epoch = 0, uint64_t epoch = 0) {
    w.hello_from(peer_b(), "mymaster", kMaster, config_epoch, epoch);
    w.hello_from(peer_c(), "mymaster", kMaster, config_epoch, epoch);
  }
  FakePeer& peer_b() { return w.peer("10.0.0.2:26380"); }
  FakePeer& peer_c() { return w.peer("10.0.0.3:26381"); }
  World w;
};

}  // namespace vigil::sentinel::test
