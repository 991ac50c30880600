// CRC-64 as Redis computes it for RDB trailers and DUMP payloads: Jones
// polynomial 0xad93d23594c935a9, reflected in and out, initial value 0, no
// final XOR (not CRC-64/XZ, not ECMA-182). crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::node::persistence {

// Continues `crc` over `len` bytes; start with 0. Slice-by-8, so a snapshot's
// checksum costs a small fraction of writing it.
uint64_t crc64(uint64_t crc, const void* data, size_t len);

}  // namespace vigil::node::persistence
