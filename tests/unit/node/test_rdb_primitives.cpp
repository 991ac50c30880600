// RDB building blocks against the byte sequences Redis 7.0.15 produces
// (reference/replication-and-rdb.md §1-3, §7-8).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "node/persistence/crc64.h"
#include "node/persistence/intset.h"
#include "node/persistence/legacy_containers.h"
#include "node/persistence/listpack.h"
#include "node/persistence/lzf.h"
#include "node/persistence/number_text.h"

using namespace vigil::node::persistence;

namespace {
std::string hex_bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}
}  // namespace

TEST_CASE("crc64 matches Redis's check value and is chunking-independent", "[rdb]") {
  REQUIRE(crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
  std::string data(1000, '\0');
  std::mt19937 rng(7);
  for (auto& c : data) c = static_cast<char>(rng());
  uint64_t whole = crc64(0, data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 333, 999}) {
    uint64_t c = crc64(0, data.data(), split);
    REQUIRE(crc64(c, data.data() + split, data.size() - split) == whole);
  }
}

TEST_CASE("lzf decodes Redis's own compressed string", "[rdb]") {
  // 100 x 'a' as Redis writes it: C3 09 40 64 | 01 61 61 E0 57 00 01 61 61 (payload after lengths)
  std::string payload = hex_bytes({0x01, 0x61, 0x61, 0xE0, 0x57, 0x00, 0x01, 0x61, 0x61});
  auto out = lzf_decompress(payload, 100);
  REQUIRE(out);
  REQUIRE(*out == std::string(100, 'a'));
  REQUIRE_FALSE(lzf_decompress(payload, 99));
  REQUIRE_FALSE(lzf_decompress(payload, 101));
}

TEST_CASE("lzf rejects malformed streams", "[rdb]") {
  REQUIRE_FALSE(lzf_decompress(hex_bytes({0x20, 0x00}), 3));  // reference before start
  REQUIRE_FALSE(lzf_decompress(hex_bytes({0x05, 0x61}), 6));  // literal run past input
  REQUIRE_FALSE(lzf_decompress(hex_bytes({0xE0}), 10));       // truncated long reference
}

TEST_CASE("lzf round-trips random and repetitive data", "[rdb]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    size_t len = rng() % 20000 + 21;
    std::string s(len, '\0');
    int alphabet = 1 + static_cast<int>(rng() % 40);
    for (auto& c : s) c = static_cast<char>('a' + rng() % static_cast<unsigned>(alphabet));
    auto c = lzf_compress(s);
    if (!c) continue;  // incompressible: Redis stores it raw
    REQUIRE(c->size() + 4 <= s.size());
    auto d = lzf_decompress(*c, s.size());
    REQUIRE(d);
    REQUIRE(*d == s);
  }
  REQUIRE(lzf_compress(std::string(100, 'a')));
}

TEST_CASE("canonical integers follow string2ll", "[rdb]") {
  REQUIRE(canonical_int64("0") == 0);
  REQUIRE(canonical_int64("-5") == -5);
  REQUIRE(canonical_int64("9223372036854775807") == INT64_MAX);
  REQUIRE(canonical_int64("-9223372036854775808") == INT64_MIN);
  for (const char* bad : {"", "-", "-0", "+1", "01", " 1", "1 ", "9223372036854775808", "1a", "1.0"})
    REQUIRE_FALSE(canonical_int64(bad));
}

TEST_CASE("score text matches Redis's d2string", "[rdb]") {
  REQUIRE(score_text(1) == "1");
  REQUIRE(score_text(-3) == "-3");
  REQUIRE(score_text(1.5) == "1.5");
  REQUIRE(score_text(INFINITY) == "inf");
  REQUIRE(score_text(-INFINITY) == "-inf");
  REQUIRE(score_text(-0.0) == "-0");
  REQUIRE(parse_score("inf") == INFINITY);
  REQUIRE(parse_score("-inf") == -INFINITY);
  REQUIRE_FALSE(parse_score("nan"));
  REQUIRE_FALSE(parse_score("1x"));
}

TEST_CASE("listpack encodes exactly like Redis", "[rdb]") {
  ListpackBuilder lp;
  for (const char* e : {"f1", "v1", "f2", "12"}) lp.append(e);
  std::string blob = lp.finish();
  REQUIRE(blob == hex_bytes({0x15, 0, 0, 0, 4, 0, 0x82, 0x66, 0x31, 0x03, 0x82, 0x76, 0x31, 0x03, 0x82, 0x66, 0x32,
                             0x03, 0x0C, 0x01, 0xFF}));
  std::vector<std::string> out;
  REQUIRE(listpack_decode(blob, out));
  REQUIRE(out == std::vector<std::string>{"f1", "v1", "f2", "12"});
}

TEST_CASE("listpack round-trips every encoding width", "[rdb]") {
  std::vector<std::string> in = {"0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767", "32768",
                                 "-8388608", "8388607", "8388608", "2147483647", "-2147483649",
                                 "9223372036854775807", "-9223372036854775808", "", "x", std::string(63, 'a'),
                                 std::string(64, 'b'), std::string(4095, 'c'), std::string(4096, 'd'),
                                 std::string(70000, 'e'), "007", "-0", "+5"};
  ListpackBuilder lp;
  for (auto& e : in) lp.append(e);
  std::string blob = lp.finish();
  std::vector<std::string> out;
  REQUIRE(listpack_decode(blob, out));
  REQUIRE(out == in);
}

TEST_CASE("listpack decoder rejects corruption", "[rdb]") {
  ListpackBuilder lp;
  lp.append("hello");
  lp.append("12345");
  std::string blob = lp.finish();
  std::vector<std::string> out;
  REQUIRE_FALSE(listpack_decode(blob.substr(0, blob.size() - 1), out));  // no terminator
  std::string bad = blob;
  bad[0] = static_cast<char>(bad[0] + 1);  // total bytes wrong
  REQUIRE_FALSE(listpack_decode(bad, out));
  bad = blob;
  bad[4] = 3;  // count wrong
  REQUIRE_FALSE(listpack_decode(bad, out));
  bad = blob;
  bad[6] = static_cast<char>(0x80 | 40);  // string length past the end
  REQUIRE_FALSE(listpack_decode(bad, out));
  bad = blob;
  bad[6] = static_cast<char>(0xF7);  // invalid encoding byte
  REQUIRE_FALSE(listpack_decode(bad, out));
}

TEST_CASE("intset matches the reference example", "[rdb]") {
  std::string blob = intset_encode({-70000, 1, 5});
  REQUIRE(blob == hex_bytes({4, 0, 0, 0, 3, 0, 0, 0, 0x90, 0xEE, 0xFE, 0xFF, 1, 0, 0, 0, 5, 0, 0, 0}));
  auto back = intset_decode(blob);
  REQUIRE(back);
  REQUIRE(*back == std::vector<int64_t>{-70000, 1, 5});
  REQUIRE(intset_encode({1, 2}).substr(0, 4) == hex_bytes({2, 0, 0, 0}));
  REQUIRE(intset_encode({INT64_MIN, 0}).substr(0, 4) == hex_bytes({8, 0, 0, 0}));
  REQUIRE_FALSE(intset_decode(intset_encode({})));                             // empty is corrupt
  REQUIRE_FALSE(intset_decode(hex_bytes({2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 1, 0})));  // not ascending
  REQUIRE_FALSE(intset_decode(hex_bytes({3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0})));    // bad width
}

TEST_CASE("ziplist and zipmap decode", "[rdb]") {
  // ziplist ["a", 5 (immediate), 300 (int16)]
  std::string entries = hex_bytes({0x00, 0x01, 0x61, 0x03, 0xF6, 0x02, 0xC0, 0x2C, 0x01});
  std::string zl;
  uint32_t total = static_cast<uint32_t>(10 + entries.size() + 1);
  for (int i = 0; i < 4; ++i) zl.push_back(static_cast<char>((total >> (8 * i)) & 0xff));
  uint32_t tail = 10 + 5;
  for (int i = 0; i < 4; ++i) zl.push_back(static_cast<char>((tail >> (8 * i)) & 0xff));
  zl += hex_bytes({3, 0});
  zl += entries;
  zl.push_back(static_cast<char>(0xFF));
  std::vector<std::string> out;
  REQUIRE(ziplist_decode(zl, out));
  REQUIRE(out == std::vector<std::string>{"a", "5", "300"});
  out.clear();
  REQUIRE_FALSE(ziplist_decode(zl.substr(0, zl.size() - 2) + "\xFF", out));

  // zipmap {"f": "vv"} with one free byte
  std::string zm = hex_bytes({1, 1, 'f', 2, 1, 'v', 'v', 0, 0xFF});
  out.clear();
  REQUIRE(zipmap_decode(zm, out));
  REQUIRE(out == std::vector<std::string>{"f", "vv"});
}
