// What the process's memory looks like from the inside: bytes handed out by
// the allocator (glibc's mallinfo2) and the resident set size (/proc).
#pragma once

#include <cstdint>

namespace vigil::node {

uint64_t allocated_bytes();
uint64_t resident_bytes();

}  // namespace vigil::node
