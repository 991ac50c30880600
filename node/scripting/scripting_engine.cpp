#include "node/scripting/scripting_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>

#include "common/util/numbers.h"
#include "node/persistence/persistence.h"
#include "node/scripting/conversions.h"
#include "node/scripting/lua_sandbox.h"
#include "node/scripting/redis_api.h"
#include "node/scripting/sha1.h"
#include "node/server/node_server.h"

namespace vigil::node::scripting {

namespace {

constexpr std::string_view kNoScriptError = "NOSCRIPT No matching script. Please use EVAL.";
// Redis steps the collector every 50 scripts instead of leaving it to full cycles.
constexpr long kGcCyclePeriod = 50;
// The count hook's period, as Redis's.
constexpr int kHookInstructions = 100000;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// busy-reply-threshold (alias lua-time-limit), in ms.
int64_t busy_reply_threshold(NodeServer& server) {
  long long ms = 5000;
  if (config::Param* p = server.config_registry().find("busy-reply-threshold")) {
    if (!util::string2ll(p->get(), &ms)) ms = 5000;
  }
  return ms < 0 ? 0 : ms;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Pushes a Lua array of argv[from, from+count).
void push_string_array(lua_State* L, const std::vector<std::string>& argv, size_t from, size_t count) {
  lua_createtable(L, static_cast<int>(count), 0);
  for (size_t i = 0; i < count; i++) {
    const std::string& s = argv[from + i];
    lua_pushlstring(L, s.data(), s.size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

ScriptingEngine::ScriptingEngine(NodeServer& server) : server_(server) {
  fake_client_.authenticated = true;
  fake_client_.reply_sink = &fake_reply_;
  open_interpreter();
}

ScriptingEngine::~ScriptingEngine() {
  if (continue_idle_) {
    uv_idle_stop(continue_idle_);
    uv_close(reinterpret_cast<uv_handle_t*>(continue_idle_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
  }
  if (lua_) lua_close(lua_);
}

ScriptingEngine& ScriptingEngine::of(NodeServer& server) {
  if (!server.scripting) server.scripting = std::make_shared<ScriptingEngine>(server);
  return *server.scripting;
}

void ScriptingEngine::open_interpreter() {
  lua_ = luaL_newstate();
  open_sandbox_libraries(lua_);
  register_redis_api(lua_, this);
  protect_globals(lua_);
}

void ScriptingEngine::flush() {
  cache_.clear();
  lua_close(lua_);
  open_interpreter();
}

bool ScriptingEngine::exists(std::string_view sha) const { return cache_.count(to_lower(sha)) > 0; }

bool ScriptingEngine::create_function(CommandContext& ctx, const std::string& body, std::string* sha) {
  *sha = sha1_hex(body);
  if (cache_.count(*sha)) return true;
  CachedScript script;
  size_t shebang_len = 0;
  std::string err;
  if (!parse_shebang(body, &script.flags, &shebang_len, &err)) {
    ctx.reply.error("ERR " + err);
    return false;
  }
  // The shebang line is skipped but its '\n' kept, so line numbers match.
  std::string_view code = std::string_view(body).substr(shebang_len);
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    // Redis's Lua refuses precompiled chunks; its parser reports the first byte.
    ctx.reply.error("ERR Error compiling script (new function): user_script:1: unexpected symbol near 'char(27)'");
    return false;
  }
  if (luaL_loadbuffer(lua_, code.data(), code.size(), "@user_script") != 0) {
    std::string msg = lua_tostring(lua_, -1) ? lua_tostring(lua_, -1) : "";
    lua_pop(lua_, 1);
    for (char& ch : msg) {
      if (ch == '\r' || ch == '\n') ch = ' ';
    }
    ctx.reply.error("ERR Error compiling script (new function): " + msg);
    return false;
  }
  lua_setfield(lua_, LUA_REGISTRYINDEX, ("f_" + *sha).c_str());
  script.body = body;
  cache_.emplace(*sha, std::move(script));
  return true;
}

void ScriptingEngine::load(CommandContext& ctx, const std::string& body) {
  std::string sha;
  if (create_function(ctx, body, &sha)) ctx.reply.bulk(sha);
}

bool ScriptingEngine::may_run(CommandContext& ctx, const ScriptFlags& flags, bool read_only) {
  if (flags.eval_compat || flags.no_writes) return true;
  // A script that declares it may write is a write command to Redis 7.0's
  // dispatcher (evalGetCommandFlags): refused where writes are refused.
  bool obey = ctx.client.is_master;
  if (server_.command_gate && !obey) {
    std::string refusal = server_.command_gate(ctx.client, command::kWrite);
    if (!refusal.empty()) {
      ctx.reply.error(refusal);
      return false;
    }
  }
  if (server_.persistence != nullptr && !obey) {
    std::string refusal = server_.persistence->write_refusal_error();
    if (!refusal.empty()) {
      ctx.reply.error(refusal);
      return false;
    }
  }
  if (read_only) {
    ctx.reply.error("ERR Can not execute a script with write flag using *_ro command.");
    return false;
  }
  return true;
}

void ScriptingEngine::eval(CommandContext& ctx, bool by_sha, bool read_only) {
  auto& argv = ctx.argv;
  if (run_) {  // one script at a time (the dispatcher already answers -BUSY)
    ctx.reply.error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
    return;
  }
  if (by_sha && argv[1].size() != 40) {
    ctx.reply.error(kNoScriptError);
    return;
  }
  long long numkeys = 0;
  if (!util::string2ll(argv[2], &numkeys)) {
    ctx.reply.error("ERR value is not an integer or out of range");
    return;
  }
  if (numkeys > static_cast<long long>(argv.size()) - 3) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (numkeys < 0) {
    ctx.reply.error("ERR Number of keys can't be negative");
    return;
  }
  std::string sha = by_sha ? to_lower(argv[1]) : sha1_hex(argv[1]);
  auto it = cache_.find(sha);
  if (it == cache_.end()) {
    if (by_sha) {
      ctx.reply.error(kNoScriptError);
      return;
    }
    if (!create_function(ctx, argv[1], &sha)) return;
    it = cache_.find(sha);
  }
  const ScriptFlags flags = it->second.flags;
  if (!may_run(ctx, flags, read_only)) return;

  run_ = std::make_unique<ScriptRun>();
  ScriptRun& run = *run_;
  run.sha = sha;
  run.caller = &ctx.client;
  run.caller_id = ctx.client.id;
  run.caller_is_master = ctx.client.is_master;
  run.now_ms = ctx.now_ms;
  run.started_ms = steady_ms();
  run.busy_after_ms = busy_reply_threshold(server_);
  run.read_only = read_only || (!flags.eval_compat && flags.no_writes);
  run.may_yield = ctx.client.conn != nullptr && !ctx.client.in_exec && !ctx.client.is_master;
  run.thread = lua_newthread(lua_);
  run.thread_ref = luaL_ref(lua_, LUA_REGISTRYINDEX);  // keeps the coroutine from the GC
  lua_getfield(run.thread, LUA_REGISTRYINDEX, ("f_" + sha).c_str());

  size_t keys = static_cast<size_t>(numkeys);
  push_string_array(lua_, argv, 3, keys);
  set_protected_global(lua_, "KEYS");
  push_string_array(lua_, argv, 3 + keys, argv.size() - 3 - keys);
  set_protected_global(lua_, "ARGV");
  // Each script starts on the caller's database with RESP2 replies.
  fake_client_.db = ctx.client.db;
  set_resp(2);
  lua_sethook(run.thread, count_hook, LUA_MASKCOUNT, kHookInstructions);

  std::string reply;
  if (resume(&reply, ctx.reply.protocol())) {
    ctx.reply.raw(reply);
    finish_run();
    return;
  }
  // Busy: the loop takes over; the caller waits for the reply.
  run.caller = nullptr;
  ctx.client.conn->suspend();
  if (continue_idle_ == nullptr) {
    continue_idle_ = new uv_idle_t;
    uv_idle_init(server_.loop(), continue_idle_);
    continue_idle_->data = this;
    // Never what keeps the loop alive: SHUTDOWN NOSAVE abandons a busy script.
    uv_unref(reinterpret_cast<uv_handle_t*>(continue_idle_));
  }
  uv_idle_start(continue_idle_, [](uv_idle_t* h) { static_cast<ScriptingEngine*>(h->data)->continue_from_loop(); });
}

void ScriptingEngine::continue_from_loop() {
  if (!run_) {
    uv_idle_stop(continue_idle_);
    return;
  }
  Client* caller = server_.find_client(run_->caller_id);
  std::string reply;
  if (!resume(&reply, caller ? caller->conn->reply().protocol() : 2)) return;
  uv_idle_stop(continue_idle_);
  finish_run();
  if (caller != nullptr) {  // gone when it disconnected meanwhile
    caller->conn->reply().raw(reply);
    caller->conn->resume();
    caller->conn->flush_later();
  }
}

bool ScriptingEngine::resume(std::string* reply, int reply_protocol) {
  ScriptRun& run = *run_;
  lua_State* co = run.thread;
  run.hook_yielded = false;
  int status = lua_resume(co, 0);
  if (status == LUA_YIELD && run.hook_yielded) return false;
  resp::ReplyBuilder out(*reply);
  out.set_protocol(reply_protocol);
  if (status == 0) {
    // Only the first returned value is the reply, as lua_pcall(..., 1) keeps.
    if (lua_gettop(co) == 0) lua_pushnil(co);
    lua_settop(co, 1);
    // Redis converts with its error handler below the value: one slot less
    // for nesting, so "reached lua stack limit" hits at the same depth.
    lua_pushnil(co);
    lua_insert(co, 1);
    write_lua_value_as_reply(co, out, fake_client_.resp);
    return true;
  }
  std::string text;
  if (status == LUA_YIELD) {
    // coroutine.yield() outside a coroutine: Redis's Lua runs scripts from a
    // C call, where yielding fails with this error.
    text = "-ERR attempt to yield across metamethod/C-call boundary";
  } else {
    text = "-" + error_message_of(co, -1);
  }
  // Where the error happened: the erring function, or its caller when it is
  // a C function (error, redis.call), as __redis__err__handler reports it.
  lua_Debug ar;
  bool found = lua_getstack(co, 0, &ar) && lua_getinfo(co, "Sl", &ar);
  if (found && ar.what && std::string_view(ar.what) == "C") {
    found = lua_getstack(co, 1, &ar) && lua_getinfo(co, "Sl", &ar);
  }
  if (found && ar.source) {
    text += " script: " + run.sha + ", on " + ar.source + ":" + std::to_string(ar.currentline) + ".";
  }
  for (char& ch : text) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  out.raw(text + "\r\n");
  return true;
}

void ScriptingEngine::finish_run() {
  bool was_busy = run_->busy;
  bool resumed_from_loop = run_->caller == nullptr;
  luaL_unref(lua_, LUA_REGISTRYINDEX, run_->thread_ref);
  run_.reset();
  if (++gc_count_ == kGcCyclePeriod) {
    lua_gc(lua_, LUA_GCSTEP, kGcCyclePeriod);
    gc_count_ = 0;
  }
  if (was_busy) server_.script_busy = false;
  // Inside its EVAL the dispatcher flushes the effects; after a hand-over, we do.
  if (resumed_from_loop) server_.finish_script_command();
}

void ScriptingEngine::kill(CommandContext& ctx) {
  if (!run_) {
    ctx.reply.error("NOTBUSY No scripts in execution right now.");
    return;
  }
  if (run_->caller_is_master) {
    ctx.reply.error(
        "UNKILLABLE The busy script was sent by a master instance in the context of replication and "
        "cannot be killed.");
    return;
  }
  if (run_->write_dirty) {
    ctx.reply.error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
        "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
        "NOSAVE command.");
    return;
  }
  run_->killed = true;  // the hook raises at the script's next slice
  ctx.reply.ok();
}

namespace {

// True when no C function, metamethod or for-iterator frame is on the
// coroutine's stack: Lua 5.1 can only yield (from a hook) across Lua frames.
bool can_yield_here(lua_State* L) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sn", &ar)) return false;
    if (ar.what && std::string_view(ar.what) == "C") return false;
    if (ar.namewhat && (std::string_view(ar.namewhat) == "metamethod" ||
                        std::string_view(ar.namewhat) == "for iterator")) {
      return false;
    }
  }
  return true;
}

void log_slow_script(const std::string& sha, int64_t elapsed_ms) {
  spdlog::warn(
      "Slow script detected: still in execution after {} milliseconds. You can try killing the "
      "script using the SCRIPT KILL command. Script name is: {}.",
      elapsed_ms, sha);
}

}  // namespace

// Every kHookInstructions instructions (Redis's luaMaskCountHook). No C++
// object may be alive where it raises or yields.
void ScriptingEngine::count_hook(lua_State* L, lua_Debug*) {
  ScriptingEngine* engine = engine_from_registry(L);
  ScriptRun* run = engine ? engine->running() : nullptr;
  if (run == nullptr) return;
  if (run->killed) {
    // Every line from now on, so a pcall cannot swallow the kill for long.
    lua_sethook(L, count_hook, LUA_MASKLINE, 0);
    static const char kKilled[] = "Script killed by user with SCRIPT KILL...";
    push_error_table(L, kKilled, sizeof(kKilled) - 1);
    lua_error(L);
    return;
  }
  if (!run->busy) {
    int64_t elapsed = steady_ms() - run->started_ms;
    if (elapsed < run->busy_after_ms) return;
    run->busy = true;
    engine->server_.script_busy = true;
    log_slow_script(run->sha, elapsed);
  }
  if (run->may_yield && L == run->thread && can_yield_here(L)) {
    run->hook_yielded = true;
    lua_yield(L, 0);
  }
}

void ScriptingEngine::set_resp(int version) {
  fake_client_.resp = version;
  fake_reply_.set_protocol(version);
}

bool ScriptingEngine::command_exists(const std::vector<std::string>& argv) const {
  const NodeCommand* cmd = server_.commands().find(argv[0]);
  if (cmd == nullptr) return false;
  if (!cmd->subcommands.empty() && argv.size() >= 2) {
    return server_.commands().find_subcommand(*cmd, argv[1]) != nullptr;
  }
  return true;
}

std::string ScriptingEngine::call_command(std::vector<std::string>& argv, std::string* reply) {
  ScriptRun& run = *run_;
  const NodeCommandTable& table = server_.commands();
  const NodeCommand* cmd = table.find(argv[0]);
  std::string full_name = cmd ? cmd->name : "";
  if (cmd != nullptr && !cmd->subcommands.empty() && argv.size() >= 2) {
    const NodeCommand* sub = table.find_subcommand(*cmd, argv[1]);
    full_name = cmd->name + "|" + to_lower(argv[1]);
    cmd = sub;
  }
  if (cmd == nullptr) return "Unknown Redis command called from script";
  if (!cmd->arity_ok(argv.size())) return "Wrong number of args calling Redis command from script";
  if (cmd->flags & command::kNoScript) return "This Redis command is not allowed from script";
  if (run.read_only && (cmd->flags & (command::kWrite | command::kMayReplicate))) {
    return "Write commands are not allowed from read-only scripts.";
  }
  if ((cmd->flags & command::kWrite) && !run.write_dirty && !run.caller_is_master) {
    // Once the script wrote, it cannot fail halfway on the server's state.
    if (server_.command_gate) {
      std::string refusal = server_.command_gate(run.caller ? *run.caller : fake_client_, command::kWrite);
      if (!refusal.empty()) return "-" + refusal;
    }
    if (server_.persistence != nullptr) {
      std::string refusal = server_.persistence->write_refusal_error();
      if (!refusal.empty()) return "-" + refusal;
    }
  }
  if (cmd->flags & command::kWrite) run.write_dirty = true;
  fake_out_.clear();
  server_.call_from_script(fake_client_, *cmd, full_name, argv, run.now_ms, run.propagate);
  *reply = std::move(fake_out_);
  fake_out_.clear();
  return {};
}

}  // namespace vigil::node::scripting
