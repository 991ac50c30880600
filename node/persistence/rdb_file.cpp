#include "node/persistence/rdb_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::node::persistence {
namespace {

// Closes the descriptor on scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string errno_text() { return std::strerror(errno); }

}  // namespace

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

void fsync_parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) throw PersistenceError("can't open directory " + dir + " to fsync it: " + errno_text());
  if (::fsync(d.fd) != 0) throw PersistenceError("fsync of directory " + dir + " failed: " + errno_text());
}

uint64_t save_rdb_file(const std::string& path, const std::string& temp_path,
                       const std::vector<const store::Database*>& dbs, const RdbAux& aux, RdbWriterOptions options) {
  Fd f{::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (f.fd < 0)
    throw PersistenceError("Failed opening the temp RDB file " + temp_path + " (in server root dir): " + errno_text());
  try {
    FdSink sink(f.fd, temp_path);
    uint64_t size = write_rdb(dbs, sink, aux, options);
    if (::fsync(f.fd) != 0) throw PersistenceError("fsync of " + temp_path + " failed: " + errno_text());
    if (::close(f.fd) != 0) {
      f.fd = -1;
      throw PersistenceError("close of " + temp_path + " failed: " + errno_text());
    }
    f.fd = -1;
    if (::rename(temp_path.c_str(), path.c_str()) != 0)
      throw PersistenceError("Error moving temp DB file " + temp_path + " on the final destination " + path + ": " +
                             errno_text());
    fsync_parent_dir(path);
    return size;
  } catch (...) {
    ::unlink(temp_path.c_str());
    throw;
  }
}

RdbLoadResult load_rdb_file(const std::string& path, const std::vector<store::Database*>& dbs, RdbLoadPolicy policy) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw PersistenceError("can't open RDB file " + path + ": " + errno_text());
  FdSource source(f.fd, path);
  try {
    return load_rdb_into(source, dbs, policy);
  } catch (const RdbError& e) {
    throw PersistenceError("Bad RDB file " + path + ": " + e.what());
  }
}

}  // namespace vigil::node::persistence
