// Runs notification and client-reconfig scripts the way Redis Sentinel does,
// but without a shell: uv_spawn (fork + execvp of the path itself) with the
// inherited environment. Bounded queue (oldest scheduled job dropped when
// full), at most `max_running` at once, SIGKILL after `max_runtime_ms`,
// retries with doubling delay on exit 1 or death by signal, no retry on
// exit >= 2 (exec failure exits 2).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <vector>

namespace vigil::sentinel::io {

struct ScriptLimits {
  size_t max_queue = 256;
  size_t max_running = 16;
  int max_retries = 10;
  uint64_t max_runtime_ms = 60000;     // script-max-runtime
  uint64_t retry_delay_ms = 30000;     // script-retry-delay, doubled per retry
};

class ScriptRunner {
 public:
  // Event sink for "-script-error" / "-script-timeout" (published as WARNING)
  // and "+script-child" / "-script-child" (DEBUG).
  using EventFn = std::function<void(bool warning, const std::string& type, const std::string& msg)>;

  ScriptRunner(uv_loop_t* loop, ScriptLimits limits, EventFn on_event);
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  // argv[0] is the script path. Starts immediately if a slot is free.
  void schedule(std::vector<std::string> argv);

  // SIGKILLs running scripts and drops the queue (shutdown).
  void kill_all();

  ScriptLimits& limits() { return limits_; }
  size_t running() const { return running_; }
  size_t queued() const { return jobs_.size(); }

  // SENTINEL PENDING-SCRIPTS rows.
  struct JobView {
    std::vector<std::string> argv;
    bool running;
    int64_t pid;
    uint64_t run_time_ms;    // running: how long it has been running
    int64_t run_delay_ms;    // scheduled: ms until start (may be negative = due)
    int retry_num;
  };
  std::vector<JobView> snapshot() const;

 private:
  struct Job {
    std::vector<std::string> argv;
    int retry_num = 0;
    uint64_t start_at_ms = 0;   // when it may run (uv_now)
    uint64_t started_ms = 0;
    uv_process_t* process = nullptr;  // non-null while running
    int64_t pid = 0;
    bool kill_sent = false;
  };

  void pump();
  void start(Job& job);
  void on_exit(uv_process_t* p, int64_t exit_status, int term_signal);

  uv_loop_t* loop_;
  ScriptLimits limits_;
  EventFn on_event_;
  std::list<Job> jobs_;            // scheduled and running, in queue order
  size_t running_ = 0;
  uv_timer_t* timer_ = nullptr;    // starts due jobs, kills overdue ones
};

}  // namespace vigil::sentinel::io
