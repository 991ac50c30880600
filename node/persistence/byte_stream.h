// Byte sinks and sources the RDB/AOF code streams through: a file (buffered,
// with fsync), or an in-memory string (replication full sync, DUMP, tests).
// Failures throw PersistenceError with the errno text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::node::persistence {

class PersistenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const void* data, size_t len) = 0;
};

class StringSink final : public Sink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  void write(const void* data, size_t len) override { out_.append(static_cast<const char*>(data), len); }

 private:
  std::string& out_;
};

// Writes straight to a file descriptor (callers batch; the RDB writer keeps
// its own 64 KiB buffer). Does not own the descriptor.
class FdSink final : public Sink {
 public:
  FdSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void write(const void* data, size_t len) override;

 private:
  int fd_;
  std::string path_;
};

class Source {
 public:
  virtual ~Source() = default;
  // Reads up to len bytes; returns 0 only at end of input.
  virtual size_t read(void* data, size_t len) = 0;
};

class StringSource final : public Source {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  size_t read(void* data, size_t len) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Reads a file descriptor; does not own it.
class FdSource final : public Source {
 public:
  FdSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  size_t read(void* data, size_t len) override;

 private:
  int fd_;
  std::string path_;
};

}  // namespace vigil::node::persistence
