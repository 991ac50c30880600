#include "sentinel/io/script_runner.h"

#include <csignal>
#include <utility>

namespace vigil::sentinel::io {

namespace {
constexpr uint64_t kCheckPeriodMs = 100;
}  // namespace

ScriptRunner::ScriptRunner(uv_loop_t* loop, ScriptLimits limits, EventFn on_event)
    : loop_(loop), limits_(limits), on_event_(std::move(on_event)) {
  timer_ = new uv_timer_t;
  uv_timer_init(loop_, timer_);
  timer_->data = this;
  uv_timer_start(
      timer_, [](uv_timer_t* t) { static_cast<ScriptRunner*>(t->data)->pump(); }, kCheckPeriodMs,
      kCheckPeriodMs);
  uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
}

ScriptRunner::~ScriptRunner() {
  kill_all();
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

void ScriptRunner::kill_all() {
  for (auto& job : jobs_) {
    if (job.process != nullptr) {
      uv_process_kill(job.process, SIGKILL);
      // The exit callback must not touch this runner any more.
      job.process->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(job.process),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
      job.process = nullptr;
    }
  }
  jobs_.clear();
  running_ = 0;
}

void ScriptRunner::schedule(std::vector<std::string> argv) {
  if (argv.empty()) return;
  if (jobs_.size() >= limits_.max_queue) {
    // Drop the oldest job that is not running, as Redis does.
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      if (it->process == nullptr) {
        jobs_.erase(it);
        break;
      }
    }
    if (jobs_.size() >= limits_.max_queue) return;   // all running: drop the new one
  }
  Job job;
  job.argv = std::move(argv);
  job.start_at_ms = uv_now(loop_);
  jobs_.push_back(std::move(job));
  pump();
}

void ScriptRunner::pump() {
  const uint64_t now = uv_now(loop_);
  for (auto& job : jobs_) {
    if (job.process != nullptr) {
      if (!job.kill_sent && now - job.started_ms > limits_.max_runtime_ms) {
        uv_process_kill(job.process, SIGKILL);
        job.kill_sent = true;
        on_event_(true, "-script-timeout", job.argv[0] + " " + std::to_string(job.pid));
      }
    } else if (running_ < limits_.max_running && job.start_at_ms <= now) {
      start(job);
    }
  }
}

void ScriptRunner::start(Job& job) {
  std::vector<char*> args;
  for (auto& a : job.argv) args.push_back(a.data());
  args.push_back(nullptr);

  auto* proc = new uv_process_t;
  proc->data = this;
  uv_process_options_t opts{};
  opts.file = job.argv[0].c_str();
  opts.args = args.data();
  opts.exit_cb = [](uv_process_t* p, int64_t status, int sig) {
    auto* self = static_cast<ScriptRunner*>(p->data);
    if (self == nullptr) return;   // runner shut down; the handle is already closing
    self->on_exit(p, status, sig);
  };
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = 1;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  opts.stdio = stdio;
  opts.stdio_count = 3;

  job.started_ms = uv_now(loop_);
  const int rc = uv_spawn(loop_, proc, &opts);
  if (rc != 0) {
    // Redis reports a fork failure as "<path> 99 0"; an exec failure (ENOENT,
    // EACCES) is the child's exit 2 there: not retried either way.
    uv_close(reinterpret_cast<uv_handle_t*>(proc),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
    on_event_(true, "-script-error", job.argv[0] + " 0 2");
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      if (&*it == &job) {
        jobs_.erase(it);
        break;
      }
    }
    return;
  }
  job.process = proc;
  job.pid = proc->pid;
  job.kill_sent = false;
  ++running_;
  on_event_(false, "+script-child", std::to_string(job.pid));
}

void ScriptRunner::on_exit(uv_process_t* p, int64_t exit_status, int term_signal) {
  auto it = jobs_.begin();
  while (it != jobs_.end() && it->process != p) ++it;
  uv_close(reinterpret_cast<uv_handle_t*>(p),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
  if (it == jobs_.end()) return;
  --running_;
  it->process = nullptr;
  on_event_(false, "-script-child",
            std::to_string(it->pid) + " " + std::to_string(exit_status) + " " +
                std::to_string(term_signal));
  if ((exit_status == 1 || term_signal != 0) && it->retry_num + 1 < limits_.max_retries) {
    // Temporary failure: retry after retry_delay * 2^(retry_num).
    ++it->retry_num;
    it->start_at_ms = uv_now(loop_) + (limits_.retry_delay_ms << (it->retry_num - 1));
    return;
  }
  if (exit_status != 0 || term_signal != 0) {
    on_event_(true, "-script-error",
              it->argv[0] + " " + std::to_string(term_signal) + " " + std::to_string(exit_status));
  }
  jobs_.erase(it);
  pump();
}

std::vector<ScriptRunner::JobView> ScriptRunner::snapshot() const {
  std::vector<JobView> out;
  const uint64_t now = uv_now(loop_);
  for (const auto& job : jobs_) {
    JobView v;
    v.argv = job.argv;
    v.running = job.process != nullptr;
    v.pid = job.pid;
    v.run_time_ms = v.running ? now - job.started_ms : 0;
    v.run_delay_ms = static_cast<int64_t>(job.start_at_ms) - static_cast<int64_t>(now);
    v.retry_num = job.retry_num;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace vigil::sentinel::io
