#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "common/resp/reply_builder.h"

using vigil::resp::format_double;
using vigil::resp::ReplyBuilder;

TEST_CASE("RESP2 encodings", "[resp][reply]") {
  std::string out;
  ReplyBuilder r(out);
  r.ok();
  r.error("ERR bad\r\nthing");
  r.integer(-42);
  r.bulk("foo");
  r.bulk("");
  r.null_bulk();
  r.null_array();
  r.array(2);
  r.map(2);
  r.set(3);
  r.push(3);
  r.dbl(1.5);
  r.verbatim("hi");
  REQUIRE(out ==
          "+OK\r\n-ERR bad  thing\r\n:-42\r\n$3\r\nfoo\r\n$0\r\n\r\n$-1\r\n*-1\r\n*2\r\n*4\r\n*3\r\n*3\r\n"
          "$3\r\n1.5\r\n$2\r\nhi\r\n");
}

TEST_CASE("RESP3 encodings", "[resp][reply]") {
  std::string out;
  ReplyBuilder r(out);
  r.set_protocol(3);
  r.null_bulk();
  r.null_array();
  r.map(2);
  r.set(3);
  r.push(3);
  r.dbl(1.5);
  r.dbl(-std::numeric_limits<double>::infinity());
  r.verbatim("hi");
  REQUIRE(out == "_\r\n_\r\n%2\r\n~3\r\n>3\r\n,1.5\r\n,-inf\r\n=6\r\ntxt:hi\r\n");
}

TEST_CASE("errors keep a single leading dash", "[resp][reply]") {
  std::string out;
  ReplyBuilder r(out);
  r.error("-WRONGTYPE x");
  REQUIRE(out == "-WRONGTYPE x\r\n");
}

TEST_CASE("format_double matches addReplyDouble", "[resp][reply]") {
  REQUIRE(format_double(3.14) == "3.1400000000000001");
  REQUIRE(format_double(1) == "1");
  REQUIRE(format_double(1e20) == "1e+20");
  REQUIRE(format_double(-0.5) == "-0.5");
  REQUIRE(format_double(std::numeric_limits<double>::infinity()) == "inf");
  REQUIRE(format_double(-std::numeric_limits<double>::infinity()) == "-inf");
  REQUIRE(format_double(0.1) == "0.10000000000000001");
}
