#include "node/persistence/aof_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "node/persistence/byte_stream.h"
#include "node/persistence/number_text.h"
#include "node/persistence/rdb_file.h"

namespace vigil::node::persistence {
namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const std::string& data, const std::string& path) {
  FdSink sink(fd, path);
  sink.write(data.data(), data.size());
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

void append_resp_command(std::string& out, const std::vector<std::string>& argv) {
  out += '*';
  out += int64_text(static_cast<int64_t>(argv.size()));
  out += "\r\n";
  for (const std::string& a : argv) {
    out += '$';
    out += int64_text(static_cast<int64_t>(a.size()));
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

AofWriter::AofWriter(std::string aof_dir, std::string appendfilename)
    : dir_(std::move(aof_dir)), appendfilename_(std::move(appendfilename)) {}

AofWriter::~AofWriter() {
  if (fd_ >= 0) ::close(fd_);
}

std::string AofWriter::path_of(const std::string& name) const { return join_path(dir_, name); }
std::string AofWriter::manifest_path() const { return path_of(aof_manifest_name(appendfilename_)); }

void AofWriter::ensure_dir() {
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
    throw PersistenceError("Can't create the append-only dir " + dir_ + ": " + errno_text());
}

void AofWriter::persist_manifest(const AofManifest& m) {
  ensure_dir();
  std::string path = manifest_path();
  std::string temp = path_of("temp-" + aof_manifest_name(appendfilename_));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw PersistenceError("Can't open the AOF manifest file " + temp + ": " + errno_text());
  try {
    write_all(fd, m.format(), temp);
    if (::fsync(fd) != 0) throw PersistenceError("Can't fsync the AOF manifest " + temp + ": " + errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0)
    throw PersistenceError("Can't rename the AOF manifest " + temp + " to " + path + ": " + errno_text());
  fsync_parent_dir(path);
  manifest_ = m;
}

void AofWriter::open_incr(const std::string& name) {
  std::string path = path_of(name);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw PersistenceError("Can't open the append-only file " + path + ": " + errno_text());
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  current_db_ = -1;  // a new file starts with a SELECT
}

void AofWriter::open(const AofManifest& manifest) {
  ensure_dir();
  AofManifest m = manifest;
  if (m.incrs.empty()) {
    m.incrs.push_back({aof_incr_name(appendfilename_, m.last_incr_seq() + 1), m.last_incr_seq() + 1,
                       AofFileInfo::Type::kIncr});
    // Create the file before the manifest names it.
    open_incr(m.incrs.back().name);
    fsync_now();
    fsync_parent_dir(path_of(m.incrs.back().name));
    persist_manifest(m);
  } else {
    manifest_ = m;
    open_incr(m.incrs.back().name);
  }
  size_ = 0;
  if (m.base) size_ += file_size(path_of(m.base->name));
  for (const auto& f : m.incrs) size_ += file_size(path_of(f.name));
}

void AofWriter::close() {
  if (fd_ < 0) return;
  write_pending();
  fsync_now();
  ::close(fd_);
  fd_ = -1;
}

void AofWriter::append(int db, const std::vector<std::string>& argv) {
  if (db != current_db_) {
    append_resp_command(pending_, {"SELECT", int64_text(db)});
    current_db_ = db;
  }
  append_resp_command(pending_, argv);
}

void AofWriter::write_pending() {
  if (pending_.empty() || fd_ < 0) return;
  size_t done = 0;
  while (done < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      pending_.erase(0, done);
      size_ += done;
      throw PersistenceError("Error writing to the AOF file: " + errno_text());
    }
    done += static_cast<size_t>(n);
  }
  size_ += done;
  pending_.clear();
}

void AofWriter::fsync_now() {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) throw PersistenceError("Can't fsync the AOF file: " + errno_text());
}

std::string AofWriter::begin_rewrite(int child_pid_hint) {
  ensure_dir();
  if (fd_ >= 0) {
    // Everything before the fork goes to the old increment; everything after
    // to a new one, which the new base will be paired with.
    write_pending();
    fsync_now();
    AofManifest m = manifest_;
    int64_t seq = m.last_incr_seq() + 1;
    AofFileInfo incr{aof_incr_name(appendfilename_, seq), seq, AofFileInfo::Type::kIncr};
    open_incr(incr.name);
    fsync_parent_dir(path_of(incr.name));
    m.incrs.push_back(incr);
    persist_manifest(m);
    rewrite_incr_seq_ = seq;
  } else {
    rewrite_incr_seq_ = 0;
  }
  return path_of("temp-rewriteaof-bg-" + std::to_string(child_pid_hint) + ".aof");
}

void AofWriter::finish_rewrite(const std::string& temp_base_path) {
  const AofManifest& m = manifest_;
  int64_t base_seq = m.last_base_seq() + 1;
  AofFileInfo base{aof_base_name(appendfilename_, base_seq, true), base_seq, AofFileInfo::Type::kBase};
  if (::rename(temp_base_path.c_str(), path_of(base.name).c_str()) != 0)
    throw PersistenceError("Error trying to rename the temporary AOF base file " + temp_base_path + " into " +
                           base.name + ": " + errno_text());
  fsync_parent_dir(path_of(base.name));

  std::vector<std::string> obsolete;
  if (m.base) obsolete.push_back(m.base->name);
  for (const auto& h : m.history) obsolete.push_back(h.name);
  AofManifest next;
  next.base = base;
  for (const auto& f : m.incrs) {
    if (rewrite_incr_seq_ != 0 && f.seq >= rewrite_incr_seq_) next.incrs.push_back(f);
    else obsolete.push_back(f.name);
  }
  persist_manifest(next);  // m (manifest_) is replaced from here on
  for (const auto& name : obsolete) ::unlink(path_of(name).c_str());
  rewrite_incr_seq_ = 0;
  size_ = file_size(path_of(base.name));
  for (const auto& f : next.incrs) size_ += file_size(path_of(f.name));
}

}  // namespace vigil::node::persistence
