// LZF, the compressor Redis uses for RDB strings longer than 20 bytes
// (rdbcompression yes). Same stream format as liblzf: literal runs of 1-32
// bytes (control < 0x20) and back-references of 3-264 bytes up to 8 KiB back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::node::persistence {

// Compresses `in`; returns nullopt when the result would not be smaller than
// `in.size() - min_saving` (Redis keeps LZF only when it saves >= 4 bytes).
std::optional<std::string> lzf_compress(std::string_view in, size_t min_saving = 4);

// Decompresses into exactly `expected_len` bytes. Returns nullopt on any
// malformed stream: reference before the start, output overflow, or a result
// whose length differs from `expected_len`.
std::optional<std::string> lzf_decompress(std::string_view in, size_t expected_len);

}  // namespace vigil::node::persistence
