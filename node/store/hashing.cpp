#include "node/store/hashing.h"

#include <cstring>
#include <random>

namespace vigil::node::store {
namespace {

inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t read64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t read_tail(const char* p, size_t n) {  // 1..7 bytes
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;

uint64_t make_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ kP2;
}

const uint64_t g_seed = make_seed();

}  // namespace

uint64_t hash_bytes(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = g_seed ^ fold_mul(n ^ kP0, kP1);
  while (n >= 16) {
    h = fold_mul(read64(p) ^ kP0 ^ h, read64(p + 8) ^ kP1);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = read64(p);
    b = n > 8 ? read_tail(p + 8, n - 8) : 0;
  } else if (n > 0) {
    a = read_tail(p, n);
  }
  h = fold_mul(a ^ kP0 ^ h, b ^ kP1 ^ (n << 56));
  return fold_mul(h ^ kP2, kP1 ^ g_seed);
}

uint64_t random_u64() {
  // xorshift64*: fast, and sampling needs no cryptographic quality.
  static uint64_t state = make_seed() | 1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

}  // namespace vigil::node::store
