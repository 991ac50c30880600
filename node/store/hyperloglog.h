// Redis 7.0's HyperLogLog (hyperloglog.c), byte for byte: an HLL is a plain
// string value holding a 16-byte header ("HYLL", encoding, 3 unused bytes,
// cached cardinality little-endian with bit 63 = "cache invalid") followed by
// 16384 6-bit registers, either dense (12288 packed bytes) or sparse
// (run-length opcodes ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx).
// Values written here are identical to redis-server's after the same
// operations, so HLLs move freely between the two (RDB, replication, SET).
//
// The functions work on std::string copies of the value; the command layer
// (node/commands/hyperloglog_family.cpp) reads and writes the keyspace.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::node::store::hll {

inline constexpr size_t kHeaderSize = 16;
inline constexpr int kIndexBits = 14;                       // HLL_P
inline constexpr int kPatternBits = 64 - kIndexBits;        // HLL_Q
inline constexpr size_t kRegisters = size_t{1} << kIndexBits;  // 16384
inline constexpr int kRegisterBits = 6;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * kRegisterBits + 7) / 8;  // 12304
inline constexpr uint8_t kEncodingDense = 0;
inline constexpr uint8_t kEncodingSparse = 1;
// Default of the hll-sparse-max-bytes config: larger sparse HLLs turn dense.
inline constexpr size_t kDefaultSparseMaxBytes = 3000;

// One byte per register: the union of several HLLs (PFCOUNT k1 k2, PFMERGE).
using Registers = std::array<uint8_t, kRegisters>;

// Redis's endian-neutral MurmurHash64A.
uint64_t murmur_hash64a(const void* key, size_t len, uint64_t seed);

// isHLLObjectOrReply's checks on a string value: long enough for the header,
// "HYLL" magic, a known encoding, and exactly kDenseSize bytes when dense.
// The sparse opcodes themselves are only validated when used.
bool is_hll(std::string_view value);
// kEncodingDense or kEncodingSparse (value must pass is_hll).
inline uint8_t encoding_of(std::string_view value) { return static_cast<uint8_t>(value[4]); }

// A new empty HLL (sparse: one XZERO covering every register), as
// createHLLObject builds it.
std::string make_empty();

// The cached cardinality if its valid bit says it may be reused.
bool cached_cardinality(std::string_view value, uint64_t* card);
// Stores card as the valid cached cardinality (header bytes 8..15).
void store_cardinality(char* header, uint64_t card);
// Marks the cached cardinality stale (PFADD / PFMERGE modified registers).
void invalidate_cache(char* header);

// PFADD of one element (hllAdd): 1 if a register grew, 0 if not, -1 if the
// sparse representation is corrupted. May promote the value to dense when a
// register exceeds what sparse can hold or the value would exceed
// sparse_max_bytes. Invalidates the cache when a sparse register changed;
// the caller invalidates it for dense (as pfaddCommand does).
int add(std::string& value, std::string_view element, size_t sparse_max_bytes);
// Raises register `index` to `count` if it is lower (hllDenseSet /
// hllSparseSet): same results and promotion rules as add().
int set_register(std::string& value, size_t index, uint8_t count, size_t sparse_max_bytes);
// hllSparseToDense: converts a sparse value in place (a dense one is left
// alone). Returns false, leaving value untouched, if the opcodes are corrupted.
bool sparse_to_dense(std::string& value);

// hllCount: the estimated cardinality of a valid HLL. Returns false when the
// sparse opcodes do not cover exactly kRegisters registers.
bool count(std::string_view value, uint64_t* card);
// hllCount over one-byte registers (the union built by merge_into).
uint64_t count_registers(const Registers& registers);
// hllMerge: max[i] = MAX(max[i], register i of value). Returns false when the
// sparse opcodes are corrupted (max may then be partly updated).
bool merge_into(Registers& max, std::string_view value);

// The value of every register (PFDEBUG GETREG), from a dense value.
void dense_registers(std::string_view value, Registers& out);
// PFDEBUG DECODE of a sparse value: "Z:16384", "z:3 v:2,1 ..." opcodes.
std::string decode_sparse(std::string_view value);

}  // namespace vigil::node::store::hll
