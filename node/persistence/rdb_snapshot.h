// The bridge between the keyspace (node/store) and the RDB format: dump every
// database into an RdbWriter with the encodings Redis 7.0 would pick for the
// same in-memory encodings, and load an RDB stream into databases. Used by
// SAVE/BGSAVE, the AOF base file, and replication full syncs.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "node/persistence/byte_stream.h"
#include "node/persistence/rdb_reader.h"
#include "node/persistence/rdb_writer.h"

namespace vigil::node::store { class Database; class Entry; }

namespace vigil::node::persistence {

// Writes a complete RDB file (header, AUX, every non-empty db, EOF, CRC) to
// sink. dbs[i] is database i. Expired-but-not-yet-deleted keys are written
// with their TTL, as Redis does; loaders decide. Returns the bytes written.
uint64_t write_rdb(const std::vector<const store::Database*>& dbs, Sink& sink, const RdbAux& aux,
                   RdbWriterOptions options = {});

struct RdbLoadPolicy {
  // A master loading at startup drops keys whose TTL has passed; replicas and
  // AOF base files keep them (the master's DEL / the AOF will remove them).
  bool drop_expired = true;
  int64_t now_ms = 0;
};

struct RdbLoadResult {
  RdbLoadInfo info;
  uint64_t keys_expired = 0;  // dropped by drop_expired
};

// Loads an RDB stream into dbs (which should be empty; a key already present
// fails the load as a duplicate). Throws RdbError/PersistenceError; on error
// the databases hold a partial load and the caller must clear them.
RdbLoadResult load_rdb_into(Source& source, const std::vector<store::Database*>& dbs, RdbLoadPolicy policy);

// DUMP: one value as the RDB type byte and its payload (no key, no expiry),
// in the encoding write_rdb would use.
void write_rdb_value(RdbWriter& w, const store::Entry& e);
// Stores a decoded value under key (replacing any entry, TTL cleared), as
// loading and RESTORE do. Returns the new entry.
store::Entry* insert_rdb_object(store::Database& db, std::string_view key, RdbObject&& value);

}  // namespace vigil::node::persistence
