// Bitmap commands and LCS: what they propagate (replies are covered byte for
// byte by tests/interop/corpus/bitmaps.txt against redis-server).
#include "tests/unit/node/test_server_util.h"

using vigil::node::testing::ServerFixture;
using Argv = std::vector<std::string>;

TEST_CASE("bitmaps: writes propagate only when they changed something", "[node_server][propagation][bitmaps]") {
  ServerFixture f;
  int c = f.connect();
  auto& seen = f.propagated.seen;

  CHECK(f.call(c, {"SETBIT", "b", "7", "1"}) == ":0\r\n");
  CHECK(f.call(c, {"SETBIT", "b", "7", "1"}) == ":1\r\n");  // same bit: not propagated
  CHECK(f.call(c, {"SETBIT", "b", "20", "0"}) == ":0\r\n");  // grows the string: propagated
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].second == Argv{"SETBIT", "b", "7", "1"});
  CHECK(seen[1].second == Argv{"SETBIT", "b", "20", "0"});

  // BITFIELD: GET-only never, OVERFLOW FAIL refusals never (even when they
  // created the key, as Redis 7.0), unchanged SETs never.
  CHECK(f.call(c, {"BITFIELD", "b", "GET", "u8", "0"}) == "*1\r\n:1\r\n");
  CHECK(f.call(c, {"BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"}) == "*1\r\n$-1\r\n");
  CHECK(f.call(c, {"EXISTS", "new"}) == ":1\r\n");
  CHECK(f.call(c, {"BITFIELD", "b", "SET", "u8", "0", "1"}) == "*1\r\n:1\r\n");
  CHECK(f.call(c, {"BITFIELD_RO", "b", "GET", "u8", "0"}) == "*1\r\n:1\r\n");
  CHECK(seen.size() == 2);
  CHECK(f.call(c, {"BITFIELD", "b", "INCRBY", "u8", "0", "1"}) == "*1\r\n:2\r\n");
  REQUIRE(seen.size() == 3);
  CHECK(seen[2].second == Argv{"BITFIELD", "b", "INCRBY", "u8", "0", "1"});

  // BITOP: an empty result deletes the destination; nothing to delete, nothing propagated.
  CHECK(f.call(c, {"BITOP", "OR", "dst", "nosuch"}) == ":0\r\n");
  CHECK(seen.size() == 3);
  CHECK(f.call(c, {"BITOP", "NOT", "dst", "b"}) == ":3\r\n");
  CHECK(f.call(c, {"BITOP", "OR", "dst", "nosuch"}) == ":0\r\n");
  REQUIRE(seen.size() == 5);
  CHECK(seen[4].second == Argv{"BITOP", "OR", "dst", "nosuch"});

  // Read-only commands and errors never propagate.
  CHECK(f.call(c, {"LCS", "b", "dst"}) == "$0\r\n\r\n");
  CHECK(f.call(c, {"BITCOUNT", "b"}) == ":1\r\n");
  CHECK(f.call(c, {"SETBIT", "b", "-1", "1"}) == "-ERR bit offset is not an integer or out of range\r\n");
  CHECK(seen.size() == 5);
}

TEST_CASE("bitmaps: SETBIT and BITFIELD invalidate WATCH", "[node_server][multi][bitmaps]") {
  ServerFixture f;
  int c = f.connect();
  int other = f.connect();
  CHECK(f.call(c, {"WATCH", "k"}) == "+OK\r\n");
  CHECK(f.call(other, {"BITFIELD", "k", "SET", "u8", "0", "7"}) == "*1\r\n:0\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*-1\r\n");
  CHECK(f.call(c, {"WATCH", "k"}) == "+OK\r\n");
  CHECK(f.call(other, {"SETBIT", "k", "0", "1"}) == ":0\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*-1\r\n");
}

TEST_CASE("bitmaps: offsets are bounded by proto-max-bulk-len", "[node_server][bitmaps]") {
  ServerFixture f([](vigil::node::NodeConfig& cfg) { cfg.proto_max_bulk_len = 1024 * 1024; });
  int c = f.connect();
  const std::string err = "-ERR bit offset is not an integer or out of range\r\n";
  CHECK(f.call(c, {"SETBIT", "k", "8388608", "1"}) == err);  // byte 1 MB
  CHECK(f.call(c, {"GETBIT", "k", "8388608"}) == err);
  CHECK(f.call(c, {"BITFIELD", "k", "SET", "u8", "#1048576", "1"}) == err);
  CHECK(f.call(c, {"SETBIT", "k", "8388607", "1"}) == ":0\r\n");  // last bit of the last byte
  CHECK(f.call(c, {"STRLEN", "k"}) == ":1048576\r\n");
  CHECK(f.call(c, {"BITCOUNT", "k"}) == ":1\r\n");
  CHECK(f.call(c, {"BITPOS", "k", "1"}) == ":8388607\r\n");
  CHECK(f.call(c, {"BITPOS", "k", "0", "-1"}) == ":8388600\r\n");
  // LCS's table (4 bytes per cell) must fit too.
  CHECK(f.call(c, {"LCS", "k", "k", "LEN"}) ==
        "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
}
