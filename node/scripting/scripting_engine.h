// vigil-node's Lua scripting (Redis 7.0's eval.c + script.c): one Lua
// interpreter, the script cache by SHA1, and the run of one script with its
// fake client. Commands in node/commands/scripting_family.cpp drive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <uv.h>

#include "common/resp/reply_builder.h"
#include "node/scripting/lua_headers.h"
#include "node/scripting/shebang.h"
#include "node/server/client.h"
#include "node/server/command_context.h"

namespace vigil::node {
class NodeServer;
}

namespace vigil::node::scripting {

// The script being executed (Redis's scriptRunCtx). It runs in its own Lua
// coroutine so that, once past busy-reply-threshold, it can yield from the
// instruction-count hook and let the loop answer -BUSY / SCRIPT KILL between
// slices (libuv's loop cannot be re-entered from inside the script).
struct ScriptRun {
  std::string sha;
  Client* caller = nullptr;  // while inside its EVAL; nullptr once resumed from the loop
  uint64_t caller_id = 0;
  bool caller_is_master = false;
  int64_t now_ms = 0;         // the EVAL's command time, for every redis.call
  int64_t started_ms = 0;     // steady clock
  int64_t busy_after_ms = 0;  // busy-reply-threshold
  bool read_only = false;     // EVAL_RO / EVALSHA_RO, or a no-writes script
  bool write_dirty = false;   // a write command already ran: SCRIPT KILL refuses
  bool propagate = true;      // redis.set_repl: false for REPL_NONE
  bool may_yield = false;     // a top-level EVAL of a connected client (not in EXEC)
  bool busy = false;          // past the threshold
  bool killed = false;        // SCRIPT KILL asked to stop
  bool hook_yielded = false;  // the last yield came from our hook, not the script
  lua_State* thread = nullptr;
  int thread_ref = LUA_NOREF;
};

struct CachedScript {
  std::string body;
  ScriptFlags flags;
};

class ScriptingEngine {
 public:
  explicit ScriptingEngine(NodeServer& server);
  ~ScriptingEngine();
  ScriptingEngine(const ScriptingEngine&) = delete;
  ScriptingEngine& operator=(const ScriptingEngine&) = delete;

  // The server's engine, created on first use.
  static ScriptingEngine& of(NodeServer& server);

  // EVAL / EVALSHA / EVAL_RO / EVALSHA_RO (argv as received). Replies.
  void eval(CommandContext& ctx, bool by_sha, bool read_only);
  // SCRIPT LOAD: compiles and caches body; replies the sha or the error.
  void load(CommandContext& ctx, const std::string& body);
  bool exists(std::string_view sha) const;
  // SCRIPT FLUSH: drops the cache and starts a fresh interpreter.
  void flush();

  // ---- used by the redis.* API (redis_api.cpp) -------------------------------
  // SCRIPT KILL (only reachable while a busy script yields to the loop).
  void kill(CommandContext& ctx);

  // The running script, nullptr outside a script.
  ScriptRun* running() { return run_.get(); }
  // Runs one redis.call; returns the rejection text (for luaPushError) when
  // the script may not run it, else "" with the command's RESP reply in *reply.
  std::string call_command(std::vector<std::string>& argv, std::string* reply);
  // redis.setresp
  void set_resp(int version);
  // redis.acl_check_cmd: is argv a known command (vigil has no ACL users).
  bool command_exists(const std::vector<std::string>& argv) const;
  NodeServer& server() { return server_; }

 private:
  void open_interpreter();
  // Compiles body into the registry as f_<sha> and caches it. On failure
  // replies the error to ctx and returns false.
  bool create_function(CommandContext& ctx, const std::string& body, std::string* sha);
  // Redis's scriptPrepareForRun checks; replies and returns false to refuse.
  bool may_run(CommandContext& ctx, const ScriptFlags& flags, bool read_only);
  // Runs the script until it ends or yields; on the end writes its reply
  // (Lua value or error) into *reply and returns true.
  bool resume(std::string* reply, int reply_protocol);
  // Continues a busy script from the loop (idle callback).
  void continue_from_loop();
  // Ends the current run: frees its coroutine, lifts the busy state and
  // flushes the held propagation.
  void finish_run();
  static void count_hook(lua_State* L, lua_Debug* ar);

  NodeServer& server_;
  lua_State* lua_ = nullptr;
  std::unordered_map<std::string, CachedScript> cache_;  // by lowercase sha
  std::unique_ptr<ScriptRun> run_;
  uv_idle_t* continue_idle_ = nullptr;  // drives a busy script between loop iterations
  Client fake_client_;
  std::string fake_out_;
  resp::ReplyBuilder fake_reply_{fake_out_};
  long gc_count_ = 0;
};

}  // namespace vigil::node::scripting
