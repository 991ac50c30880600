// RDB files on disk: atomic save (temp file in the same directory, fsync,
// rename, fsync of the directory — a crash leaves the old or the new file,
// never a torn one) and load with errors that name the file and the offset.
#pragma once

#include <string>
#include <vector>

#include "node/persistence/rdb_snapshot.h"

namespace vigil::node::store { class Database; }

namespace vigil::node::persistence {

// Writes dbs to `path` through `temp_path` (same directory). Throws
// PersistenceError (with errno text) and removes the temp file on failure.
// Returns the file size.
uint64_t save_rdb_file(const std::string& path, const std::string& temp_path,
                       const std::vector<const store::Database*>& dbs, const RdbAux& aux, RdbWriterOptions options);

// Loads `path` into dbs. Throws RdbError whose text starts with the path, e.g.
// "Bad RDB file /data/dump.rdb: Wrong RDB checksum ... (at offset 1234)".
RdbLoadResult load_rdb_file(const std::string& path, const std::vector<store::Database*>& dbs, RdbLoadPolicy policy);

// fsync of the directory holding `path`, so a rename in it is durable.
void fsync_parent_dir(const std::string& path);

// dir + "/" + name, or name when dir is empty.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace vigil::node::persistence
