// Test support for the data command families: starts a real vigil-node on a
// free port (the binary next to this test executable, or $VIGIL_BUILD_DIR),
// talks to it with hiredis and renders replies compactly:
//   +OK -> "OK", -ERR x -> "ERR x", :3 -> "3", $-1 / *-1 -> "(nil)",
//   bulk "a" -> "a", arrays -> "[a,b,[c,1]]".
// Every wait is bounded; the process is stopped by PID when the fixture ends.
#pragma once

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vigil::test {

inline std::string vigil_node_binary() {
  if (const char* dir = std::getenv("VIGIL_BUILD_DIR")) return std::string(dir) + "/vigil-node";
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "vigil-node";
  std::string self(buf, static_cast<size_t>(n));
  return self.substr(0, self.rfind('/')) + "/vigil-node";
}

inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot pick a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

inline std::string render(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STRING:
      return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string s = "[";
      for (size_t i = 0; i < r->elements; ++i) {
        if (i) s += ',';
        s += render(r->element[i]);
      }
      return s + "]";
    }
  }
  return "?";
}

class NodeProcess {
 public:
  NodeProcess() : port_(free_port()) {
    std::string bin = vigil_node_binary();
    if (access(bin.c_str(), X_OK) != 0) throw std::runtime_error("vigil-node not found at " + bin);
    pid_ = fork();
    if (pid_ == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
      }
      std::string port = std::to_string(port_);
      execl(bin.c_str(), bin.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
            "--loglevel", "warning", static_cast<char*>(nullptr));
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      timeval tv{1, 0};
      ctx_ = redisConnectWithTimeout("127.0.0.1", port_, tv);
      if (ctx_ && !ctx_->err) {
        redisSetTimeout(ctx_, timeval{5, 0});
        return;
      }
      if (ctx_) redisFree(ctx_);
      ctx_ = nullptr;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("vigil-node did not start");
  }
  ~NodeProcess() { stop(); }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  int port() const { return port_; }

  // Runs one command and renders its reply ("(io error)" if the link broke).
  std::string cmd(const std::vector<std::string>& argv) { return cmd_on(ctx_, argv); }
  std::string operator()(const std::vector<std::string>& argv) { return cmd_on(ctx_, argv); }

  // A second client (for blocking commands); the caller frees it with redisFree.
  redisContext* connect() {
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeval{1, 0});
    if (c) redisSetTimeout(c, timeval{5, 0});
    return c;
  }

  static std::string cmd_on(redisContext* c, const std::vector<std::string>& argv) {
    std::vector<const char*> parts;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      parts.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(parts.size()), parts.data(), lens.data()));
    if (!r) return "(io error)";
    std::string s = render(r);
    freeReplyObject(r);
    return s;
  }

 private:
  void stop() {
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int port_;
  pid_t pid_ = -1;
  redisContext* ctx_ = nullptr;
};

}  // namespace vigil::test
