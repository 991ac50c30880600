#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/resp/request_parser.h"

using vigil::resp::ParserLimits;
using vigil::resp::RequestParser;
using Status = RequestParser::Status;
using Argv = std::vector<std::string>;

namespace {

struct Outcome {
  std::vector<Argv> commands;
  bool error = false;
  std::string error_text;
};

// Feeds the chunks one by one, draining commands after each.
Outcome run(const std::vector<std::string>& chunks, ParserLimits limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  Argv argv;
  for (const auto& chunk : chunks) {
    parser.feed(chunk.data(), chunk.size());
    while (true) {
      Status st = parser.next(argv);
      if (st == Status::kCommand) {
        out.commands.push_back(argv);
      } else {
        if (st == Status::kError) {
          out.error = true;
          out.error_text = parser.error();
        }
        break;
      }
    }
    if (out.error) break;
  }
  return out;
}

Outcome run1(const std::string& s, ParserLimits limits = {}) { return run({s}, limits); }

std::string mb(const Argv& argv) {
  std::string s = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

}  // namespace

TEST_CASE("multibulk commands, pipelined in one buffer", "[resp][parser]") {
  std::string in = mb({"SET", "k", "v"}) + mb({"GET", "k"}) + mb({"PING"});
  auto out = run1(in);
  REQUIRE_FALSE(out.error);
  REQUIRE(out.commands == std::vector<Argv>{{"SET", "k", "v"}, {"GET", "k"}, {"PING"}});
}

TEST_CASE("a stream split at every byte position parses identically", "[resp][parser]") {
  std::string in = mb({"SET", "key:1", std::string(100, 'x')}) + "PING\r\n" +
                   "ECHO \"a b\" 'c d'\n" + mb({"GET", ""}) + "*0\r\n" + "\r\n" + mb({"DEL", "a", "b"});
  std::vector<Argv> expected{{"SET", "key:1", std::string(100, 'x')}, {"PING"}, {"ECHO", "a b", "c d"},
                             {"GET", ""}, {"DEL", "a", "b"}};
  REQUIRE(run1(in).commands == expected);
  for (size_t i = 0; i <= in.size(); i++) {
    auto out = run({in.substr(0, i), in.substr(i)});
    INFO("split at " << i);
    REQUIRE_FALSE(out.error);
    REQUIRE(out.commands == expected);
  }
  // And byte by byte.
  std::vector<std::string> bytes;
  for (char c : in) bytes.emplace_back(1, c);
  REQUIRE(run(bytes).commands == expected);
}

TEST_CASE("big bulks arriving in pieces", "[resp][parser]") {
  std::string big(200000, 'z');
  big[0] = 'a';
  big[big.size() - 1] = 'b';
  std::string in = mb({"SET", "k", big}) + mb({"PING"});
  std::vector<std::string> chunks;
  for (size_t i = 0; i < in.size(); i += 4096) chunks.push_back(in.substr(i, 4096));
  RequestParser parser;
  std::vector<Argv> got;
  Argv argv;
  for (const auto& c : chunks) {
    parser.feed(c.data(), c.size());
    // buffered() counts what was received and not yet returned, except the
    // consumed protocol headers (a few bytes).
    if (got.empty()) {
      size_t fed = std::min(static_cast<size_t>(&c - &chunks[0] + 1) * 4096, in.size());
      REQUIRE(parser.buffered() <= fed);
      REQUIRE(parser.buffered() + 64 >= fed);
    }
    while (parser.next(argv) == Status::kCommand) got.push_back(argv);
  }
  REQUIRE(got.size() == 2);
  REQUIRE(got[0][2] == big);
  REQUIRE(got[1] == Argv{"PING"});
}

TEST_CASE("argv vectors are reused between commands", "[resp][parser]") {
  RequestParser parser;
  std::string in = mb({"A", "B", "C"}) + mb({"D"});
  parser.feed(in.data(), in.size());
  Argv argv{"stale", "stale", "stale", "stale", "stale"};
  REQUIRE(parser.next(argv) == Status::kCommand);
  REQUIRE(argv == Argv{"A", "B", "C"});
  REQUIRE(parser.next(argv) == Status::kCommand);
  REQUIRE(argv == Argv{"D"});
  REQUIRE(parser.next(argv) == Status::kNeedMore);
  REQUIRE(parser.buffered() == 0);
}

TEST_CASE("inline commands follow sdssplitargs", "[resp][parser]") {
  auto out = run1("SET \"a\\x41\\n\" 'it\\'s'\r\nPING\n   \r\nECHO x\"y z\"\r\n");
  REQUIRE_FALSE(out.error);
  REQUIRE(out.commands == std::vector<Argv>{{"SET", "aA\n", "it's"}, {"PING"}, {"ECHO", "xy z"}});
}

TEST_CASE("redis quirks: bytes after a bulk and after CR are not checked", "[resp][parser]") {
  auto out = run1("*1\r\n$4\r\npingXY*1\r\n$4\rXping\r\n");
  REQUIRE_FALSE(out.error);
  REQUIRE(out.commands == std::vector<Argv>{{"ping"}, {"ping"}});
  // *-1 and *0 are skipped silently.
  REQUIRE(run1("*-1\r\n*0\r\nPING\r\n").commands == std::vector<Argv>{{"PING"}});
}

TEST_CASE("protocol errors carry Redis 7.0 texts", "[resp][parser]") {
  struct Case {
    std::string input;
    std::string error;
  };
  std::vector<Case> cases = {
      {"*2147483648\r\n", "Protocol error: invalid multibulk length"},
      {"*abc\r\n", "Protocol error: invalid multibulk length"},
      {"*\r\n", "Protocol error: invalid multibulk length"},
      {"*+1\r\n", "Protocol error: invalid multibulk length"},
      {"*3 \r\n", "Protocol error: invalid multibulk length"},
      {"*1\n$4\r\nping\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n+4\r\n", "Protocol error: expected '$', got '+'"},
      {"*1\r$4\r\nping\r\n", "Protocol error: expected '$', got '4'"},
      {"*1\r\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$abc\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$04\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$ 4\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"},
      {"PING \"a\r\n", "Protocol error: unbalanced quotes in request"},
      {"ECHO \"a\"b\r\n", "Protocol error: unbalanced quotes in request"},
      {"ECHO 'a\r\n", "Protocol error: unbalanced quotes in request"},
      {std::string(70000, 'P'), "Protocol error: too big inline request"},
      {"*1" + std::string(70000, '1'), "Protocol error: too big mbulk count string"},
      {"*1\r\n$" + std::string(70000, '1'), "Protocol error: too big bulk count string"},
  };
  for (const auto& c : cases) {
    INFO(c.input.substr(0, 40));
    auto out = run1(c.input);
    REQUIRE(out.error);
    REQUIRE(out.error_text == c.error);
  }
}

TEST_CASE("limits: counts allowed by 7.0 and proto-max-bulk-len", "[resp][parser]") {
  // 7.0 accepts counts above 1024*1024; the parser waits for the elements.
  REQUIRE_FALSE(run1("*1048577\r\n").error);
  REQUIRE_FALSE(run1("*1\r\n$536870912\r\n").error);
  ParserLimits small;
  small.max_bulk_len = 10;
  REQUIRE_FALSE(run1("*1\r\n$10\r\n", small).error);
  REQUIRE(run1("*1\r\n$11\r\n", small).error_text == "Protocol error: invalid bulk length");
}

TEST_CASE("commands before an error are delivered, and the parser stays failed", "[resp][parser]") {
  RequestParser parser;
  std::string in = "PING\r\n*1\r\n+x\r\n" + mb({"GET", "k"});
  parser.feed(in.data(), in.size());
  Argv argv;
  REQUIRE(parser.next(argv) == Status::kCommand);
  REQUIRE(parser.next(argv) == Status::kError);
  REQUIRE(parser.next(argv) == Status::kError);
  parser.feed("PING\r\n", 6);
  REQUIRE(parser.next(argv) == Status::kError);
}

TEST_CASE("unauthenticated limits", "[resp][parser]") {
  RequestParser parser;
  parser.set_auth_required(true);
  std::string in = "*11\r\n";
  parser.feed(in.data(), in.size());
  Argv argv;
  REQUIRE(parser.next(argv) == Status::kError);
  REQUIRE(parser.error() == "Protocol error: unauthenticated multibulk length");

  RequestParser p2;
  p2.set_auth_required(true);
  std::string in2 = "*2\r\n$4\r\nAUTH\r\n$16385\r\n";
  p2.feed(in2.data(), in2.size());
  REQUIRE(p2.next(argv) == Status::kError);
  REQUIRE(p2.error() == "Protocol error: unauthenticated bulk length");
}

TEST_CASE("a line trickling in byte by byte is not rescanned", "[resp][parser]") {
  // 60000 one-byte feeds of an inline line: quadratic rescanning would take
  // ~1.8e9 byte visits; the resumed scan keeps this instant.
  RequestParser parser;
  Argv argv;
  std::string line = "ECHO " + std::string(60000, 'a');
  for (char c : line) {
    parser.feed(&c, 1);
    REQUIRE(parser.next(argv) == Status::kNeedMore);
  }
  parser.feed("\n", 1);
  REQUIRE(parser.next(argv) == Status::kCommand);
  REQUIRE(argv.size() == 2);
  REQUIRE(argv[1].size() == 60000);
}
