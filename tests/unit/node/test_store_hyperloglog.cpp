// The HyperLogLog representation (node/store/hyperloglog) on its own: hashing,
// sparse opcodes, promotion, the estimator and merging. Byte-level expectations
// come from redis-server 7.0.15 after the same PFADDs.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "node/store/hyperloglog.h"

namespace hll = vigil::node::store::hll;

namespace {

std::string hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string with_elements(int from, int to, size_t sparse_max = hll::kDefaultSparseMaxBytes) {
  std::string v = hll::make_empty();
  for (int i = from; i < to; ++i) hll::add(v, "e" + std::to_string(i), sparse_max);
  hll::invalidate_cache(v.data());
  return v;
}

}  // namespace

TEST_CASE("MurmurHash64A matches Redis", "[hll]") {
  // Redis's hash of "" with seed 0 is seed ^ 0 mixed: a fixed constant.
  REQUIRE(hll::murmur_hash64a("", 0, 0) == 0);
  // The same 8-byte block read little-endian regardless of alignment.
  std::string buf = "xabcdefghij";
  REQUIRE(hll::murmur_hash64a(buf.data() + 1, 10, 7) == hll::murmur_hash64a("abcdefghij", 10, 7));
}

TEST_CASE("An empty HLL is sparse XZERO:16384 and counts 0", "[hll]") {
  std::string v = hll::make_empty();
  REQUIRE(hex(v) == "48594c4c" "01000000" "0000000000000000" "7fff");
  REQUIRE(hll::is_hll(v));
  REQUIRE(hll::decode_sparse(v) == "Z:16384");
  uint64_t card = 99;
  REQUIRE(hll::count(v, &card));
  REQUIRE(card == 0);
}

TEST_CASE("Sparse adds give Redis's bytes", "[hll]") {
  // redis-server: PFADD h a b c; GET h
  std::string v = hll::make_empty();
  REQUIRE(hll::add(v, "a", 3000) == 1);
  REQUIRE(hll::add(v, "b", 3000) == 1);
  REQUIRE(hll::add(v, "c", 3000) == 1);
  REQUIRE(hll::add(v, "a", 3000) == 0);
  hll::invalidate_cache(v.data());
  REQUIRE(hex(v) == "48594c4c01000000000000000000008060f38050b1844bfb80425a");
  REQUIRE(hll::decode_sparse(v) == "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  uint64_t card;
  REQUIRE(hll::count(v, &card));
  REQUIRE(card == 3);
}

TEST_CASE("Cached cardinality and its invalid bit", "[hll]") {
  std::string v = hll::make_empty();
  uint64_t card;
  REQUIRE(hll::cached_cardinality(v, &card));
  REQUIRE(card == 0);
  hll::invalidate_cache(v.data());
  REQUIRE_FALSE(hll::cached_cardinality(v, &card));
  hll::store_cardinality(v.data(), 0x0102030405060708ULL);
  REQUIRE(hll::cached_cardinality(v, &card));
  REQUIRE(card == 0x0102030405060708ULL);
  REQUIRE(static_cast<unsigned char>(v[8]) == 0x08);
}

TEST_CASE("Promotion to dense keeps the registers and the estimate", "[hll]") {
  std::string sparse = with_elements(0, 2000, 1u << 30);  // never promoted
  std::string dense = with_elements(0, 2000);              // promoted at 3000 bytes
  REQUIRE(hll::encoding_of(sparse) == hll::kEncodingSparse);
  REQUIRE(hll::encoding_of(dense) == hll::kEncodingDense);
  REQUIRE(dense.size() == hll::kDenseSize);
  uint64_t a, b;
  REQUIRE(hll::count(sparse, &a));
  REQUIRE(hll::count(dense, &b));
  REQUIRE(a == b);
  REQUIRE(std::llabs(static_cast<long long>(a) - 2000) < 100);
  std::string converted = sparse;
  REQUIRE(hll::sparse_to_dense(converted));
  REQUIRE(converted == dense);
}

TEST_CASE("Merging registers equals adding to one HLL", "[hll]") {
  hll::Registers max{};
  REQUIRE(hll::merge_into(max, with_elements(0, 800)));
  REQUIRE(hll::merge_into(max, with_elements(500, 5000)));
  std::string all = with_elements(0, 5000);
  hll::Registers direct{};
  REQUIRE(hll::merge_into(direct, all));
  REQUIRE(max == direct);
  uint64_t card;
  REQUIRE(hll::count(all, &card));
  REQUIRE(hll::count_registers(max) == card);
}

TEST_CASE("Corrupted values are rejected without reading out of bounds", "[hll]") {
  std::string v = "HYLL";
  REQUIRE_FALSE(hll::is_hll(v));
  v += std::string(12, '\0');
  v[4] = 1;  // sparse with no opcodes
  REQUIRE(hll::is_hll(v));
  uint64_t card;
  REQUIRE_FALSE(hll::count(v, &card));
  REQUIRE(hll::add(v, "x", 3000) == -1);
  REQUIRE_FALSE(hll::sparse_to_dense(v));
  v += '\x7f';  // a truncated XZERO: its low byte reads as zero
  REQUIRE(hll::decode_sparse(v) == "Z:16129");
  REQUIRE_FALSE(hll::count(v, &card));
  std::string dense(hll::kDenseSize - 1, '\0');
  dense.replace(0, 4, "HYLL");
  REQUIRE_FALSE(hll::is_hll(dense));  // dense must be exactly 12304 bytes
  dense += '\0';
  REQUIRE(hll::is_hll(dense));
  std::string too_many = hll::make_empty() + std::string(8, '\xff');  // VAL runs past 16384
  hll::Registers max{};
  REQUIRE_FALSE(hll::merge_into(max, too_many));
}
