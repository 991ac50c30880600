// RDB v10 constants as Redis 7.0.15 defines them (src/rdb.h). See
// /work/shared/reference/replication-and-rdb.md §1-2.
#pragma once

#include <cstdint>

namespace vigil::node::persistence::rdb {

inline constexpr int kVersion = 10;  // 7.0 writes 10 and rejects > 10
inline constexpr char kMagic[] = "REDIS";

// Opcodes (a byte where an object type could be).
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunction = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Object types.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZset = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZset2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZsetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZsetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;

// Length encoding (first byte's top two bits) and special string encodings.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kEncVal = 3;
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist v2 node containers.
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// Redis 7.0 defaults that decide which encoding Redis itself would write, so
// our files look like Redis's (hash-max-listpack-*, zset-max-listpack-*,
// set-max-intset-entries, list-max-listpack-size -2 = 8 KiB nodes).
inline constexpr size_t kHashMaxListpackEntries = 512;
inline constexpr size_t kHashMaxListpackValue = 64;
inline constexpr size_t kZsetMaxListpackEntries = 128;
inline constexpr size_t kZsetMaxListpackValue = 64;
inline constexpr size_t kSetMaxIntsetEntries = 512;
inline constexpr size_t kListNodeMaxBytes = 8192;

}  // namespace vigil::node::persistence::rdb
