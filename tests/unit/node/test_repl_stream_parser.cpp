// Splitting a master's replication stream into commands with their exact bytes.
#include <catch2/catch.hpp>

#include "node/replication/stream_parser.h"

using vigil::node::replication::StreamParser;
using Status = StreamParser::Status;

TEST_CASE("stream parser returns each command and its raw bytes", "[repl][stream]") {
  const std::string select = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
  const std::string set = "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$6\r\na\r\nb\r\n\r\n";  // binary-safe value
  const std::string ping = "*1\r\n$4\r\nping\r\n";
  StreamParser p;
  std::string all = select + set + ping;
  p.feed(all.data(), all.size());
  std::vector<std::string> argv;
  std::string_view raw;
  REQUIRE(p.next(argv, &raw) == Status::kCommand);
  REQUIRE(argv == std::vector<std::string>{"SELECT", "0"});
  REQUIRE(raw == select);
  REQUIRE(p.next(argv, &raw) == Status::kCommand);
  REQUIRE(argv == std::vector<std::string>{"set", "k", "a\r\nb\r\n"});
  REQUIRE(raw == set);
  REQUIRE(p.next(argv, &raw) == Status::kCommand);
  REQUIRE(raw == ping);
  REQUIRE(p.next(argv, &raw) == Status::kNeedMore);
}

TEST_CASE("stream parser handles commands split at every byte", "[repl][stream]") {
  const std::string good = "*3\r\n$5\r\nLPUSH\r\n$1\r\nl\r\n$0\r\n\r\n";
  StreamParser p;
  std::vector<std::string> argv;
  std::string_view raw;
  size_t commands = 0;
  for (int round = 0; round < 3; round++) {
    for (char c : good) {
      p.feed(&c, 1);
      while (p.next(argv, &raw) == Status::kCommand) {
        REQUIRE(argv == std::vector<std::string>{"LPUSH", "l", ""});
        REQUIRE(raw == good);
        commands++;
      }
    }
  }
  REQUIRE(commands == 3);
}

TEST_CASE("stream parser: keepalive newlines and errors", "[repl][stream]") {
  StreamParser p;
  std::vector<std::string> argv;
  std::string_view raw;
  p.feed("\n", 1);
  REQUIRE(p.next(argv, &raw) == Status::kCommand);
  REQUIRE(argv.empty());
  REQUIRE(raw == "\n");

  StreamParser bad;
  std::string junk = "*1\r\n+OK\r\n";
  bad.feed(junk.data(), junk.size());
  REQUIRE(bad.next(argv, &raw) == Status::kError);
  REQUIRE_FALSE(bad.error().empty());

  StreamParser no_crlf;  // a bulk not followed by CRLF: the stream is out of step
  std::string desync = "*1\r\n$2\r\nabc\r\n";
  no_crlf.feed(desync.data(), desync.size());
  REQUIRE(no_crlf.next(argv, &raw) == Status::kError);

  StreamParser bad_len;
  std::string neg = "*1\r\n$-5\r\n";
  bad_len.feed(neg.data(), neg.size());
  REQUIRE(bad_len.next(argv, &raw) == Status::kError);
}
