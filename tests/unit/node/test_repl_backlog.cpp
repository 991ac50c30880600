// The replication backlog ring buffer: offsets, wrap-around, resizing.
#include <catch2/catch.hpp>

#include "node/replication/backlog.h"

using vigil::node::replication::Backlog;

TEST_CASE("backlog keeps the newest bytes and serves offsets inside them", "[repl][backlog]") {
  Backlog b(8);
  int64_t end = 0;
  auto feed = [&](std::string_view s) {
    b.append(s);
    end += static_cast<int64_t>(s.size());
  };
  feed("abc");
  REQUIRE(b.histlen() == 3);
  REQUIRE(b.first_byte_offset(end) == 1);
  REQUIRE(b.copy_from(1, end) == "abc");
  REQUIRE(b.copy_from(3, end) == "c");
  REQUIRE(b.can_serve(4, end));  // nothing to send is fine
  REQUIRE(b.copy_from(4, end).empty());
  REQUIRE_FALSE(b.can_serve(5, end));
  REQUIRE_FALSE(b.can_serve(0, end));

  feed("defghij");  // 10 bytes total, capacity 8: wraps
  REQUIRE(b.histlen() == 8);
  REQUIRE(b.first_byte_offset(end) == 3);
  REQUIRE(b.copy_from(3, end) == "cdefghij");
  REQUIRE(b.copy_from(9, end) == "ij");
  REQUIRE_FALSE(b.can_serve(2, end));

  feed("0123456789ABCDEF");  // longer than the capacity at once
  REQUIRE(b.histlen() == 8);
  REQUIRE(b.copy_from(b.first_byte_offset(end), end) == "89ABCDEF");
}

TEST_CASE("backlog resize keeps what still fits", "[repl][backlog]") {
  Backlog b(8);
  b.append("abcdefghij");  // holds "cdefghij", end offset 10
  b.resize(4);
  REQUIRE(b.capacity() == 4);
  REQUIRE(b.copy_from(7, 10) == "ghij");
  b.resize(16);
  REQUIRE(b.copy_from(7, 10) == "ghij");
  b.append("klm");
  REQUIRE(b.copy_from(7, 13) == "ghijklm");
}
