#include "node/persistence/aof_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <strings.h>

#include "node/persistence/number_text.h"
#include "node/persistence/rdb_file.h"
#include "node/persistence/rdb_snapshot.h"

namespace vigil::node::persistence {
namespace {

constexpr size_t kBufSize = 64 * 1024;
constexpr size_t kMaxLine = 64 * 1024;  // "*<argc>" / "$<len>" lines are short
constexpr int64_t kMaxBulk = 512LL * 1024 * 1024;  // proto-max-bulk-len default
constexpr int64_t kMaxArgs = 1024LL * 1024 * 1024;

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool eq_nocase(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

}  // namespace

AofCommandReader::AofCommandReader(Source& source, uint64_t start_offset)
    : source_(source), buf_(kBufSize), base_(start_offset), last_end_(start_offset) {}

bool AofCommandReader::fill() {
  if (pos_ > 0) {  // keep the unconsumed tail
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  size_t n = source_.read(buf_.data() + end_, buf_.size() - end_);
  end_ += n;
  return n > 0;
}

AofCommandReader::LineResult AofCommandReader::line(std::string& out) {
  size_t scanned = pos_;
  while (true) {
    const char* start = buf_.data() + scanned;
    const void* nl = std::memchr(start, '\n', end_ - scanned);
    if (nl) {
      size_t nl_at = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      size_t len = nl_at - pos_;
      if (len > 0 && buf_[nl_at - 1] == '\r') --len;
      out.assign(buf_.data() + pos_, len);
      pos_ = nl_at + 1;
      return LineResult::kOk;
    }
    size_t consumed_scan = end_ - pos_;
    if (consumed_scan > kMaxLine) return LineResult::kTooLong;
    if (!fill()) return LineResult::kEof;
    scanned = pos_ + consumed_scan;
  }
}

bool AofCommandReader::exact(std::string& out, size_t n) {
  out.clear();
  while (out.size() < n) {
    if (pos_ == end_ && !fill()) return false;
    size_t take = std::min(n - out.size(), end_ - pos_);
    out.append(buf_.data() + pos_, take);
    pos_ += take;
  }
  return true;
}

AofCommandReader::Status AofCommandReader::next(std::vector<std::string>& argv) {
  argv.clear();
  std::string header;
  while (true) {
    if (pos_ == end_ && !fill()) return Status::kEof;
    if (buf_[pos_] != '*' && buf_[pos_] != '#') return Status::kBadFormat;
    LineResult r = line(header);
    if (r != LineResult::kOk) return r == LineResult::kEof ? Status::kTruncated : Status::kBadFormat;
    if (header[0] == '#') {  // annotations (#TS:...) are skipped
      last_end_ = base_ + pos_;
      continue;
    }
    break;
  }
  if (header.size() < 2) return Status::kBadFormat;
  auto argc = canonical_int64(std::string_view(header).substr(1));
  if (!argc || *argc < 1 || *argc > kMaxArgs) return Status::kBadFormat;
  std::string len_line, arg, crlf;
  for (int64_t i = 0; i < *argc; ++i) {
    LineResult r = line(len_line);
    if (r != LineResult::kOk) return r == LineResult::kEof ? Status::kTruncated : Status::kBadFormat;
    if (len_line.size() < 2 || len_line[0] != '$') return Status::kBadFormat;
    auto len = canonical_int64(std::string_view(len_line).substr(1));
    if (!len || *len < 0 || *len > kMaxBulk) return Status::kBadFormat;
    if (!exact(arg, static_cast<size_t>(*len))) return Status::kTruncated;
    if (!exact(crlf, 2)) return Status::kTruncated;
    if (crlf != "\r\n") return Status::kBadFormat;
    argv.push_back(std::move(arg));
  }
  last_end_ = base_ + pos_;
  return Status::kCommand;
}

std::string read_small_file(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw PersistenceError("can't open " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[4096];
  FdSource src(f.fd, path);
  while (size_t n = src.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

AofFileLoad load_aof_file(const std::string& path, bool is_last, bool truncate_ok,
                          const std::vector<store::Database*>& dbs, const CommandReplayer& replay, const AofLog& log) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw PersistenceError("Can't open the append-only file " + path + ": " + std::strerror(errno));
  AofFileLoad result;
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw PersistenceError("Unable to stat the AOF file " + path + ": " + std::strerror(errno));
  if (st.st_size == 0) return result;  // an empty increment is normal

  uint64_t start = 0;
  char magic[5];
  ssize_t got = ::pread(f.fd, magic, 5, 0);
  if (got == 5 && std::memcmp(magic, "REDIS", 5) == 0) {
    // RDB base (or an RDB preamble followed by commands). Expired keys are
    // kept: the commands that follow decide, as in Redis.
    log("Reading RDB base file on AOF loading...");
    FdSource rdb_source(f.fd, path);
    try {
      RdbLoadResult r = load_rdb_into(rdb_source, dbs, {false, 0});
      start = r.info.bytes;
    } catch (const RdbError& e) {
      throw PersistenceError("Bad RDB base in the append only file " + path + ": " + e.what());
    }
    if (::lseek(f.fd, static_cast<off_t>(start), SEEK_SET) < 0)
      throw PersistenceError("Unable to seek in the AOF file " + path + ": " + std::strerror(errno));
  }

  FdSource source(f.fd, path);
  AofCommandReader reader(source, start);
  std::vector<std::string> argv;
  std::vector<std::vector<std::string>> multi;  // queued MULTI body, run at EXEC
  bool in_multi = false;
  uint64_t before_multi = start;
  int db = 0;
  while (true) {
    uint64_t before_command = reader.end_of_last_command();
    AofCommandReader::Status s = reader.next(argv);
    if (s == AofCommandReader::Status::kCommand) {
      ++result.commands;
      if (eq_nocase(argv[0], "multi")) {
        in_multi = true;
        before_multi = before_command;
        multi.clear();
        continue;
      }
      auto run = [&](std::vector<std::string>& cmd) {
        if (eq_nocase(cmd[0], "select") && cmd.size() == 2) {
          auto id = canonical_int64(cmd[1]);
          if (!id || *id < 0 || *id >= static_cast<int64_t>(dbs.size()))
            throw PersistenceError("Bad SELECT in the append only file " + path);
          db = static_cast<int>(*id);
          return;
        }
        if (!replay(db, cmd))
          throw PersistenceError("Unknown command '" + cmd[0] + "' reading the append only file " + path);
      };
      if (eq_nocase(argv[0], "exec") && in_multi) {
        for (auto& cmd : multi) run(cmd);
        multi.clear();
        in_multi = false;
        continue;
      }
      if (in_multi) {
        multi.push_back(std::move(argv));
        continue;
      }
      run(argv);
      continue;
    }
    if (s == AofCommandReader::Status::kEof && !in_multi) break;
    if (s == AofCommandReader::Status::kBadFormat)
      throw PersistenceError("Bad file format reading the append only file " + path + " (at offset " +
                             std::to_string(reader.end_of_last_command()) +
                             "): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
    // A truncated tail: EOF inside a command, or inside an open MULTI.
    uint64_t valid = reader.end_of_last_command();
    if (in_multi) {
      log("Revert incomplete MULTI/EXEC transaction in AOF file " + path);
      valid = before_multi;
    }
    if (!is_last) throw PersistenceError("Fatal error: the truncated file is not the last file (" + path + ")");
    if (!truncate_ok)
      throw PersistenceError("Unexpected end of file reading the append only file " + path + " (at offset " +
                             std::to_string(valid) +
                             "). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                             "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
                             "configuration option to yes and restart the server.");
    log("!!! Warning: short read while loading the AOF file " + path + "!!!");
    log("!!! Truncating the AOF " + path + " at offset " + std::to_string(valid) + " !!!");
    Fd w{::open(path.c_str(), O_WRONLY | O_CLOEXEC)};
    if (w.fd < 0 || ::ftruncate(w.fd, static_cast<off_t>(valid)) != 0 || ::fsync(w.fd) != 0)
      throw PersistenceError("Error truncating the AOF file " + path + ": " + std::strerror(errno));
    log("AOF " + path + " loaded anyway because aof-load-truncated is enabled");
    result.truncated_and_fixed = true;
    break;
  }
  return result;
}

AofLoad load_aof(const std::string& aof_dir, const std::string& appendfilename, bool truncate_ok,
                 const std::vector<store::Database*>& dbs, const CommandReplayer& replay, const AofLog& log) {
  AofLoad result;
  std::string manifest_path = join_path(aof_dir, aof_manifest_name(appendfilename));
  if (::access(manifest_path.c_str(), F_OK) != 0) return result;
  std::string error;
  auto manifest = AofManifest::parse(read_small_file(manifest_path), &error);
  if (!manifest) throw PersistenceError("*** FATAL AOF MANIFEST FILE ERROR *** " + error + " (" + manifest_path + ")");
  result.manifest = *manifest;
  result.exists = true;

  std::vector<const AofFileInfo*> files;
  if (manifest->base) files.push_back(&*manifest->base);
  for (const auto& f : manifest->incrs) files.push_back(&f);
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = join_path(aof_dir, files[i]->name);
    if (::access(path.c_str(), F_OK) != 0)
      throw PersistenceError("The AOF file " + path + " listed in the manifest doesn't exist");
    result.commands += load_aof_file(path, i + 1 == files.size(), truncate_ok, dbs, replay, log).commands;
  }
  return result;
}

}  // namespace vigil::node::persistence
