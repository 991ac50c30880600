// Unit checks of the simulator's own parts: determinism, the network model, and the
// simulated node's replies (Redis 7.0 field names, PSYNC2 ids).
#include <catch2/catch.hpp>

#include "campaign.h"
#include "fabric.h"
#include "sim_node.h"

using namespace vigil::sim;

namespace {

// A bare process that sends commands and keeps the replies.
class Probe : public Process {
 public:
  Probe(Fabric& fabric, ProcessId id) : Process(id, "probe"), fabric_(fabric) {}
  void receive(ConnId, Request) override {}
  void accept(ConnId) override {}
  void connection_closed(ConnId) override {}

  ConnId open(ProcessId to) { return fabric_.connect(id(), to, []() {}, [this]() { ++closed; }); }
  void command(ConnId conn, std::vector<std::string> argv) {
    fabric_.send_request(conn, id(), Request{std::move(argv), [this](const Reply& r) { replies.push_back(r); }});
  }

  std::vector<Reply> replies;
  int closed = 0;

 private:
  Fabric& fabric_;
};

std::string field(const std::string& info, const std::string& key) {
  const auto at = info.find("\r\n" + key + ":");
  if (at == std::string::npos) return "<missing>";
  const auto from = at + 3 + key.size();
  return info.substr(from, info.find("\r\n", from) - from);
}

struct TwoNodes {
  Fabric fabric{42, NetworkConfig{}, 3, false};
  History history;
  SimNode master{fabric, history, 0, NodeSpec{"10.0.1.1", 6379, 100, true}, NodeTimings{}, Prng(1)};
  SimNode replica{fabric, history, 1, NodeSpec{"10.0.1.2", 6379, 0, true}, NodeTimings{}, Prng(2)};
  Probe probe{fabric, 2};
  TwoNodes() {
    fabric.add_process(&master, "10.0.1.1", 6379);
    fabric.add_process(&replica, "10.0.1.2", 6379);
    fabric.add_process(&probe, "10.0.2.1", 50000);
    master.boot(std::nullopt);
    replica.boot(master.address());
  }
  Reply ask(ProcessId to, std::vector<std::string> argv) {
    const ConnId c = probe.open(to);
    probe.command(c, std::move(argv));
    fabric.scheduler().run_until(fabric.now() + ms(100));
    REQUIRE(!probe.replies.empty());
    Reply r = probe.replies.back();
    fabric.network().close(c, probe.id());
    return r;
  }
};

}  // namespace

TEST_CASE("a seed replays exactly, another seed differs", "[components]") {
  RandomRunOptions o;
  o.fault_phase = seconds(60);
  o.trace = 1;
  o.seed = 7;
  const RunResult a = run_random(o);
  const RunResult b = run_random(o);
  o.seed = 8;
  const RunResult c = run_random(o);
  CHECK(a.trace == b.trace);
  CHECK(a.events == b.events);
  CHECK(a.trace != c.trace);
}

TEST_CASE("network: FIFO per connection, partitions hold traffic until healed", "[components]") {
  Scheduler sched;
  Network net(sched, Prng(3), NetworkConfig{}, 2);
  int closed_at_client = 0;
  const ConnId c = net.open(0, 1, [&]() { ++closed_at_client; }, nullptr);
  std::vector<int> got;
  for (int i = 0; i < 50; ++i) net.send(c, 0, [&got, i]() { got.push_back(i); });
  sched.run_until(seconds(1));
  REQUIRE(got.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);

  net.set_blocked(0, 1, true);
  net.send(c, 0, [&got]() { got.push_back(100); });
  sched.run_until(seconds(30));
  CHECK(got.size() == 50);  // held, not lost
  net.set_blocked(0, 1, false);
  sched.run_until(seconds(31));
  CHECK(got.back() == 100);

  net.close(c, 1);  // the server closes: the client learns after the data in flight
  sched.run_until(seconds(32));
  CHECK(closed_at_client == 1);
}

TEST_CASE("simulated node answers INFO with Redis 7.0 replication fields", "[components]") {
  TwoNodes w;
  w.fabric.scheduler().run_until(seconds(10));  // full sync takes ~5 s (repl-diskless-sync-delay)
  const std::string minfo = w.ask(0, {"INFO"}).str;
  CHECK(minfo.find("# Server\r\n") == 0);
  CHECK(field(minfo, "run_id").size() == 40);
  CHECK(field(minfo, "role") == "master");
  CHECK(field(minfo, "connected_slaves") == "1");
  CHECK(field(minfo, "slave0").rfind("ip=10.0.1.2,port=6379,state=online,offset=", 0) == 0);
  CHECK(field(minfo, "master_replid").size() == 40);
  CHECK(field(minfo, "second_repl_offset") == "-1");

  const std::string rinfo = w.ask(1, {"INFO", "replication"}).str;
  CHECK(rinfo.find("# Replication\r\n") == 0);
  CHECK(field(rinfo, "role") == "slave");
  CHECK(field(rinfo, "master_host") == "10.0.1.1");
  CHECK(field(rinfo, "master_port") == "6379");
  CHECK(field(rinfo, "master_link_status") == "up");
  CHECK(field(rinfo, "slave_priority") == "0");
  CHECK(field(rinfo, "replica_announced") == "1");
  CHECK(field(rinfo, "master_link_down_since_seconds") == "<missing>");  // only while down
  CHECK(field(rinfo, "master_replid") == field(minfo, "master_replid"));
}

TEST_CASE("promotion shifts the replication id (PSYNC2) and writes follow the master", "[components]") {
  TwoNodes w;
  w.fabric.scheduler().run_until(seconds(10));
  CHECK(w.ask(0, {"SET", "k", "v"}).str == "OK");
  CHECK(w.ask(1, {"SET", "k", "v"}).str.rfind("READONLY", 0) == 0);
  const std::string before = field(w.ask(1, {"INFO"}).str, "master_replid");
  const Reply exec_reply = [&]() {
    const ConnId c = w.probe.open(1);
    for (auto argv : std::vector<std::vector<std::string>>{{"MULTI"}, {"SLAVEOF", "NO", "ONE"}, {"CONFIG", "REWRITE"},
                                                            {"CLIENT", "KILL", "TYPE", "normal"}, {"EXEC"}})
      w.probe.command(c, argv);
    w.fabric.scheduler().run_until(w.fabric.now() + ms(100));
    return w.probe.replies.back();
  }();
  REQUIRE(exec_reply.type == Reply::Type::Array);
  CHECK(exec_reply.elements.size() == 3);
  const std::string info = w.ask(1, {"INFO"}).str;
  CHECK(field(info, "role") == "master");
  CHECK(field(info, "master_replid2") == before);
  CHECK(field(info, "second_repl_offset") == std::to_string(w.replica.offset() + 1));
  // The role survives a restart because the transaction ran CONFIG REWRITE.
  w.replica.crash();
  w.replica.restart(true);
  CHECK(w.replica.is_master());
}

TEST_CASE("CLIENT PAUSE WRITE holds writes until UNPAUSE", "[components]") {
  TwoNodes w;
  w.fabric.scheduler().run_until(seconds(10));
  const ConnId admin = w.probe.open(0);
  w.probe.command(admin, {"CLIENT", "PAUSE", "5000", "WRITE"});
  w.fabric.scheduler().run_until(w.fabric.now() + ms(50));
  const std::size_t before = w.probe.replies.size();
  const ConnId writer = w.probe.open(0);
  w.probe.command(writer, {"SET", "k", "v"});
  w.fabric.scheduler().run_until(w.fabric.now() + ms(1000));
  CHECK(w.probe.replies.size() == before);  // held
  w.probe.command(admin, {"CLIENT", "UNPAUSE"});
  w.fabric.scheduler().run_until(w.fabric.now() + ms(50));
  CHECK(w.probe.replies.size() == before + 2);
}
