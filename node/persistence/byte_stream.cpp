#include "node/persistence/byte_stream.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil::node::persistence {

void FdSink::write(const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd_, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw PersistenceError("write error on " + path_ + ": " + std::strerror(errno));
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

size_t StringSource::read(void* data, size_t len) {
  size_t n = std::min(len, data_.size() - pos_);
  std::memcpy(data, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

size_t FdSource::read(void* data, size_t len) {
  while (true) {
    ssize_t n = ::read(fd_, data, len);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) throw PersistenceError("read error on " + path_ + ": " + std::strerror(errno));
  }
}

}  // namespace vigil::node::persistence
