// The pure parts of MONITOR / SLOWLOG / LATENCY: line quoting and redaction,
// slowlog trimming, latency series and histogram buckets, the GRAPH sparkline.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "node/server/client.h"
#include "node/server/latency_monitor.h"
#include "node/server/monitor_feed.h"
#include "node/server/slowlog.h"

using namespace vigil::node;

TEST_CASE("monitor lines quote like sdscatrepr and redact passwords") {
  Client c;  // no connection: the address part is empty
  CHECK(MonitorFeed::format(c, 3, {"SET", "k", std::string("a\"b\\\n\x00\xff", 7)}, 1700000000000123) ==
        "1700000000.000123 [3 ] \"SET\" \"k\" \"a\\\"b\\\\\\n\\x00\\xff\"");
  CHECK(MonitorFeed::format(c, 0, {"AUTH", "u", "p"}, 0) == "0.000000 [0 ] \"AUTH\" \"(redacted)\" \"(redacted)\"");
  CHECK(MonitorFeed::format(c, 0, {"auth", "a", "b", "c"}, 0) == "0.000000 [0 ] \"auth\" \"a\" \"b\" \"c\"");
  CHECK(MonitorFeed::format(c, 0, {"HELLO", "3", "AUTH", "u", "p", "SETNAME", "n"}, 0) ==
        "0.000000 [0 ] \"HELLO\" \"3\" \"AUTH\" \"(redacted)\" \"(redacted)\" \"SETNAME\" \"n\"");
  CHECK(MonitorFeed::format(c, 0, {"HELLO", "4", "AUTH", "u", "p"}, 0) ==
        "0.000000 [0 ] \"HELLO\" \"4\" \"AUTH\" \"u\" \"p\"");
}

TEST_CASE("slowlog trims arguments and entries as Redis") {
  std::vector<std::string> argv = {"RPUSH", "l"};
  for (int i = 0; i < 40; i++) argv.push_back("v" + std::to_string(i));
  auto t = SlowLog::trimmed_args(argv);
  REQUIRE(t.size() == 32);
  CHECK(t[30] == "v28");
  CHECK(t[31] == "... (11 more arguments)");
  t = SlowLog::trimmed_args({"SET", "k", std::string(200, 'x')});
  CHECK(t[2] == std::string(128, 'x') + "... (72 more bytes)");

  SlowLog log;
  log.push_if_slow({"A"}, 5, 10, 128, 1, "p", "n");
  CHECK(log.entries().empty());
  log.push_if_slow({"B"}, 10, 10, 128, 1, "p", "n");
  log.push_if_slow({"C"}, 10, 10, 1, 1, "p", "n");
  REQUIRE(log.entries().size() == 1);
  CHECK(log.entries()[0].args[0] == "C");
  CHECK(log.entries()[0].id == 1);
  log.push_if_slow({"D"}, 1000, -1, 128, 1, "p", "n");
  CHECK(log.entries()[0].args[0] == "C");
}

TEST_CASE("latency series keeps the worst sample per second") {
  LatencyMonitor m;
  m.add_if_needed("command", 5, 0, 100);  // threshold 0: disabled
  CHECK(m.events().empty());
  m.add_if_needed("command", 5, 10, 100);  // below threshold
  CHECK(m.events().empty());
  m.add_if_needed("command", 20, 10, 100);
  m.add_if_needed("command", 30, 10, 100);
  m.add_if_needed("command", 15, 10, 101);
  const LatencySeries* s = m.find("command");
  REQUIRE(s != nullptr);
  auto samples = s->in_order();
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].ms == 30);
  CHECK(samples[1].ms == 15);
  CHECK(s->max == 30);
  std::string reset = "COMMAND";
  CHECK(m.reset(&reset) == 1);
  CHECK(m.events().empty());
}

TEST_CASE("command histogram buckets follow hdr_histogram's log iteration") {
  CommandHistogram h;
  h.record(0);     // 1 ns -> the 1 µs bucket
  h.record(1);     // 1000 ns -> still the first bucket (up to 1031 ns)
  h.record(2);     // 2000 ns -> the 2 µs bucket (up to 2063 ns)
  h.record(100);   // -> 131 µs bucket (up to 132095 ns)
  h.record(5000000);  // 5 s clamps to 1 s -> the last bucket
  auto c = h.cumulative();
  REQUIRE(c.size() == 4);
  CHECK(c[0] == std::pair<int64_t, uint64_t>{1, 2});
  CHECK(c[1] == std::pair<int64_t, uint64_t>{2, 3});
  CHECK(c[2] == std::pair<int64_t, uint64_t>{132, 4});
  CHECK(c[3].second == 5);
  CHECK(h.calls == 5);
}

TEST_CASE("latency graph draws the sparkline with labels") {
  LatencySeries s;
  s.add(1000, 10);
  s.add(1001, 40);
  std::string g = latency_graph("command", s, 1002);
  CHECK(g ==
        "command - high 40 ms, low 10 ms (all time high 40 ms)\n" + std::string(80, '-') +
            "\n"
            " #\n"
            " |\n"
            " |\n"
            "_|\n"
            "  \n"
            "21\n"
            "ss\n");
}
