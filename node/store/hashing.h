// Seeded 64-bit hash for the keyspace and the hash/set/zset tables. The seed is
// random per process so clients cannot craft colliding keys (Redis uses a
// random SipHash key for the same reason); the mixing is multiply-fold based,
// several times faster than SipHash on short keys.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::node::store {

uint64_t hash_bytes(std::string_view s);

// Process-wide random source for sampling (RANDOMKEY, SPOP, active expiry).
uint64_t random_u64();

}  // namespace vigil::node::store
