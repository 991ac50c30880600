// Bad input never crashes the core: random replies to every command, random pub/sub
// payloads, random link failures, stale ids — under ASan/UBSan in CI.
#include <catch2/catch.hpp>

#include <random>

#include "cluster.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::test;

namespace {

Reply random_reply(std::mt19937_64& rng, int depth = 0) {
  static const char* kStrings[] = {"PONG", "OK", "LOADING x", "BUSY x", "MASTERDOWN", "*", "",
                                   "role:master\r\nslave0:ip=1.2.3.4,port=99999,x\r\n",
                                   "role:slave\r\nmaster_host:\r\nmaster_port:-5\r\nmaster_link_status:up\r\n",
                                   "run_id:0123456789012345678901234567890123456789\r\n",
                                   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  Reply r;
  switch (rng() % (depth < 2 ? 6 : 5)) {
    case 0: r = Reply::status(kStrings[rng() % 11]); break;
    case 1: r = Reply::error(kStrings[rng() % 11]); break;
    case 2: r = Reply::integer_reply(static_cast<int64_t>(rng())); break;
    case 3: r = Reply::bulk(kStrings[rng() % 11]); break;
    case 4: r = Reply::nil(); break;
    default: {
      std::vector<Reply> e;
      size_t n = rng() % 5;
      for (size_t i = 0; i < n; ++i) e.push_back(random_reply(rng, depth + 1));
      r = Reply::array(std::move(e));
    }
  }
  return r;
}

}  // namespace

TEST_CASE("random replies, payloads and link failures never crash", "[robustness]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    Config cfg = basic_config(1, 1000);
    cfg.rng_seed = seed;
    Sentinel s(cfg, std::nullopt, Environment{}, 0);
    std::vector<RequestId> pending;
    std::vector<ConnId> conns;
    TimeMs now = 0;
    for (int step = 0; step < 2000; ++step) {
      now += static_cast<TimeMs>(rng() % 300);
      switch (rng() % 6) {
        case 0: s.tick(now); break;
        case 1:
          if (!pending.empty()) {
            size_t i = rng() % pending.size();
            s.on_reply(now, pending[i], random_reply(rng));
            pending.erase(pending.begin() + static_cast<long>(i));
          }
          break;
        case 2:
          if (!conns.empty()) s.on_link_down(now, conns[rng() % conns.size()], "boom");
          break;
        case 3:
          s.on_hello_publish(now, "10.0.0." + std::to_string(rng() % 4) + ",26379," + std::string(40, char('b' + rng() % 3)) +
                                      "," + std::to_string(rng() % 5) + ",mymaster,127.0.0." + std::to_string(rng() % 3) +
                                      ",6379," + std::to_string(rng() % 5));
          break;
        case 4:
          s.is_master_down_by_addr(now, Address{"127.0.0.1", 6379}, rng() % 10, rng() % 2 ? "*" : std::string(40, 'z'));
          break;
        default:
          s.on_reply(now, rng(), random_reply(rng));  // unknown id
          if (!conns.empty()) s.on_pubsub_message(now, conns[rng() % conns.size()], "__sentinel__:hello", "x,y");
          break;
      }
      for (auto& e : s.take_effects()) {
        if (auto* c = std::get_if<ConnectEffect>(&e)) {
          conns.push_back(c->conn_id);
          if (rng() % 2) s.on_link_up(now, c->conn_id, "10.0.0.1");
        } else if (auto* cmd = std::get_if<SendCommandEffect>(&e)) {
          pending.push_back(cmd->id);
        }
      }
      s.take_effects();
    }
    // Still answers queries consistently.
    REQUIRE(s.master("mymaster"));
    CHECK(!redis_fields(*s.master("mymaster")).empty());
  }
}
