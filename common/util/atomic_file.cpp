#include "common/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace vigil::util {

namespace {

bool set_error(std::string* err, const std::string& what) {
  int saved = errno;
  if (err) *err = what + ": " + std::strerror(saved);
  errno = saved;
  return false;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Follows a symlink chain at path so the rename replaces the real file.
std::string resolve_target(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char* real = realpath(path.c_str(), nullptr);
    if (real != nullptr) {
      std::string out(real);
      std::free(real);
      return out;
    }
  }
  return path;
}

}  // namespace

bool fsync_parent_dir(const std::string& path, std::string* err) {
  std::string dir = dir_of(path);
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return set_error(err, "open directory " + dir);
  if (fsync(fd) != 0 && errno != EINVAL) {  // some filesystems cannot fsync dirs
    int saved = errno;
    close(fd);
    errno = saved;
    return set_error(err, "fsync directory " + dir);
  }
  close(fd);
  return true;
}

bool write_file_atomic(const std::string& path, std::string_view content, std::string* err) {
  static std::atomic<unsigned> counter{0};
  const std::string target = resolve_target(path);
  const std::string tmp = target + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);

  // New files get 0644 minus the umask (applied by open); an existing file keeps its mode.
  struct stat st;
  const bool keep_mode = stat(target.c_str(), &st) == 0;

  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return set_error(err, "create " + tmp);
  auto fail = [&](const std::string& what) {
    int saved = errno;
    if (fd >= 0) close(fd);
    unlink(tmp.c_str());
    errno = saved;
    return set_error(err, what);
  };

  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write " + tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (keep_mode && fchmod(fd, st.st_mode & 07777) != 0) return fail("chmod " + tmp);
  if (fsync(fd) != 0) return fail("fsync " + tmp);
  if (close(fd) != 0) {
    fd = -1;
    return fail("close " + tmp);
  }
  fd = -1;
  if (rename(tmp.c_str(), target.c_str()) != 0) return fail("rename " + tmp + " to " + target);
  return fsync_parent_dir(target, err);
}

bool read_file(const std::string& path, std::string* content, std::string* err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return set_error(err, path);
  content->clear();
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      close(fd);
      errno = saved;
      return set_error(err, path);
    }
    if (n == 0) break;
    content->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return true;
}

}  // namespace vigil::util
