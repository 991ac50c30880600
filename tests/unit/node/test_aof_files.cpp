// AOF manifest, command reader, truncated-tail rules and the rewrite file
// dance, on real files in a temporary directory. Commands are replayed by a
// tiny SET/DEL interpreter over the store so the tests don't need a server.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "node/persistence/aof_loader.h"
#include "node/persistence/aof_manifest.h"
#include "node/persistence/aof_writer.h"
#include "node/persistence/rdb_file.h"
#include "node/store/database.h"

using namespace vigil::node::persistence;
using vigil::node::store::Database;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/vigil-aof-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

struct World {
  std::vector<std::unique_ptr<Database>> owned;
  std::vector<Database*> dbs;
  std::vector<std::string> log;
  World() {
    for (int i = 0; i < 16; ++i) {
      owned.push_back(std::make_unique<Database>(i));
      dbs.push_back(owned.back().get());
    }
  }
  CommandReplayer replayer() {
    return [this](int db, std::vector<std::string>& argv) {
      if (argv[0] == "SET" && argv.size() == 3) {
        dbs[static_cast<size_t>(db)]->set_string(argv[1], argv[2]);
        return true;
      }
      if (argv[0] == "DEL") {
        for (size_t i = 1; i < argv.size(); ++i) dbs[static_cast<size_t>(db)]->remove(argv[i]);
        return true;
      }
      return false;  // unknown command
    };
  }
  AofLog logger() {
    return [this](const std::string& line) { log.push_back(line); };
  }
  std::string get(int db, const std::string& key) {
    auto* e = dbs[static_cast<size_t>(db)]->find_raw(key);
    return e ? std::string(e->str()) : "(nil)";
  }
};

std::string cmd(std::vector<std::string> argv) {
  std::string out;
  append_resp_command(out, argv);
  return out;
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("aof manifest format and parse", "[aof]") {
  AofManifest m;
  m.base = AofFileInfo{"appendonly.aof.1.base.rdb", 1, AofFileInfo::Type::kBase};
  m.incrs.push_back({"appendonly.aof.1.incr.aof", 1, AofFileInfo::Type::kIncr});
  m.incrs.push_back({"appendonly.aof.2.incr.aof", 2, AofFileInfo::Type::kIncr});
  std::string text = m.format();
  REQUIRE(text ==
          "file appendonly.aof.1.base.rdb seq 1 type b\n"
          "file appendonly.aof.1.incr.aof seq 1 type i\n"
          "file appendonly.aof.2.incr.aof seq 2 type i\n");
  std::string err;
  auto back = AofManifest::parse(text, &err);
  REQUIRE(back);
  REQUIRE(back->base == m.base);
  REQUIRE(back->incrs == m.incrs);

  REQUIRE(AofManifest::parse("# comment\nseq 3 type i file \"odd name.aof\" extra x\n", &err)->incrs[0].name ==
          "odd name.aof");
  REQUIRE_FALSE(AofManifest::parse("", &err));
  REQUIRE(err == "Found an empty AOF manifest");
  REQUIRE_FALSE(AofManifest::parse("file a seq 1\n", &err));
  REQUIRE(err == "Invalid AOF manifest file format");
  REQUIRE_FALSE(AofManifest::parse("file a seq 2 type i\nfile b seq 1 type i\n", &err));
  REQUIRE(err == "Found a non-monotonic sequence number");
  REQUIRE_FALSE(AofManifest::parse("file a seq 1 type x\n", &err));
  REQUIRE_FALSE(AofManifest::parse("file a seq 1 type b\nfile b seq 2 type b\n", &err));
  REQUIRE_FALSE(AofManifest::parse("file ../a seq 1 type i\n", &err));
}

TEST_CASE("aof file loads commands, SELECT, MULTI and annotations", "[aof]") {
  TempDir dir;
  World w;
  std::string data = cmd({"SELECT", "0"}) + cmd({"SET", "a", "1"}) + "#TS:1700000000\r\n" + cmd({"SELECT", "2"}) +
                     cmd({"MULTI"}) + cmd({"SET", "b", "x\r\ny"}) + cmd({"DEL", "zz"}) + cmd({"EXEC"});
  write_file(dir / "f.aof", data);
  AofFileLoad r = load_aof_file(dir / "f.aof", true, true, w.dbs, w.replayer(), w.logger());
  REQUIRE(r.commands == 7);
  REQUIRE(w.get(0, "a") == "1");
  REQUIRE(w.get(2, "b") == "x\r\ny");
  REQUIRE_FALSE(r.truncated_and_fixed);
}

TEST_CASE("aof truncated tail: cut at the last complete command when allowed", "[aof]") {
  std::string good = cmd({"SET", "a", "1"}) + cmd({"SET", "b", "2"});
  std::string full = good + cmd({"SET", "c", "3"});
  for (size_t cut = good.size() + 1; cut < full.size(); ++cut) {
    TempDir dir;
    World w;
    write_file(dir / "f.aof", full.substr(0, cut));
    AofFileLoad r = load_aof_file(dir / "f.aof", true, true, w.dbs, w.replayer(), w.logger());
    REQUIRE(r.truncated_and_fixed);
    REQUIRE(w.get(0, "b") == "2");
    REQUIRE(w.get(0, "c") == "(nil)");
    REQUIRE(read_file(dir / "f.aof") == good);  // truncated on disk
    REQUIRE(w.log.at(0).find("!!! Warning: short read while loading the AOF file") == 0);
    REQUIRE(w.log.at(1) == "!!! Truncating the AOF " + (dir / "f.aof") + " at offset " + std::to_string(good.size()) + " !!!");
  }
}

TEST_CASE("aof truncated tail is fatal when not allowed or not the last file", "[aof]") {
  TempDir dir;
  World w;
  std::string data = cmd({"SET", "a", "1"}) + "*3\r\n$3\r\nSET\r\n$1\r\nb";
  write_file(dir / "f.aof", data);
  REQUIRE_THROWS_WITH(load_aof_file(dir / "f.aof", true, false, w.dbs, w.replayer(), w.logger()),
                      Catch::Contains("Unexpected end of file reading the append only file") &&
                          Catch::Contains("at offset 27"));
  REQUIRE_THROWS_WITH(load_aof_file(dir / "f.aof", false, true, w.dbs, w.replayer(), w.logger()),
                      Catch::Contains("the truncated file is not the last file"));
  REQUIRE(read_file(dir / "f.aof") == data);  // untouched
}

TEST_CASE("aof open MULTI at EOF is reverted", "[aof]") {
  TempDir dir;
  World w;
  std::string good = cmd({"SET", "a", "1"});
  write_file(dir / "f.aof", good + cmd({"MULTI"}) + cmd({"SET", "b", "2"}));
  load_aof_file(dir / "f.aof", true, true, w.dbs, w.replayer(), w.logger());
  REQUIRE(w.get(0, "a") == "1");
  REQUIRE(w.get(0, "b") == "(nil)");
  REQUIRE(read_file(dir / "f.aof") == good);
  REQUIRE(w.log.at(0).find("Revert incomplete MULTI/EXEC transaction") == 0);
}

TEST_CASE("aof bad format and unknown commands are fatal", "[aof]") {
  TempDir dir;
  World w;
  write_file(dir / "f.aof", cmd({"SET", "a", "1"}) + "garbage\r\n");
  REQUIRE_THROWS_WITH(load_aof_file(dir / "f.aof", true, true, w.dbs, w.replayer(), w.logger()),
                      Catch::Contains("Bad file format reading the append only file") && Catch::Contains("offset 27"));
  write_file(dir / "g.aof", cmd({"NOSUCH", "a"}));
  REQUIRE_THROWS_WITH(load_aof_file(dir / "g.aof", true, true, w.dbs, w.replayer(), w.logger()),
                      Catch::Contains("Unknown command 'NOSUCH' reading the append only file"));
  write_file(dir / "h.aof", "*1\r\n$3\r\nSETX\r\n");  // bulk longer than declared
  REQUIRE_THROWS_AS(load_aof_file(dir / "h.aof", true, true, w.dbs, w.replayer(), w.logger()), PersistenceError);
}

TEST_CASE("aof writer: append, reload, rewrite swaps base and drops old files", "[aof]") {
  TempDir dir;
  std::string aof_dir = dir / "appendonlydir";
  World w;
  {
    AofWriter writer(aof_dir, "appendonly.aof");
    writer.open(AofManifest{});
    writer.append(0, {"SET", "a", "1"});
    writer.append(3, {"SET", "b", "2"});
    writer.write_pending();
    writer.fsync_now();
    REQUIRE(writer.manifest().incrs.size() == 1);
  }
  AofLoad load = load_aof(aof_dir, "appendonly.aof", true, w.dbs, w.replayer(), w.logger());
  REQUIRE(load.exists);
  REQUIRE(load.commands == 4);  // SELECT 0, SET, SELECT 3, SET
  REQUIRE(w.get(3, "b") == "2");

  // Rewrite: new incr at "fork", base written, then installed.
  AofWriter writer(aof_dir, "appendonly.aof");
  writer.open(load.manifest);
  writer.append(0, {"SET", "c", "3"});
  std::string temp = writer.begin_rewrite(12345);
  writer.append(0, {"SET", "d", "4"});  // after the fork: goes to the new incr
  writer.write_pending();
  std::vector<const Database*> cdbs(w.dbs.begin(), w.dbs.end());
  w.dbs[0]->set_string("c", "3");
  save_rdb_file(temp, temp + ".tmp", cdbs, RdbAux{}, {});
  writer.finish_rewrite(temp);
  writer.write_pending();
  REQUIRE(writer.manifest().base->name == "appendonly.aof.1.base.rdb");
  REQUIRE(writer.manifest().incrs.size() == 1);
  REQUIRE(writer.manifest().incrs[0].seq == 2);
  REQUIRE_FALSE(fs::exists(aof_dir + "/appendonly.aof.1.incr.aof"));
  REQUIRE_FALSE(fs::exists(temp));

  World fresh;
  AofLoad again = load_aof(aof_dir, "appendonly.aof", true, fresh.dbs, fresh.replayer(), fresh.logger());
  REQUIRE(fresh.get(0, "a") == "1");
  REQUIRE(fresh.get(3, "b") == "2");
  REQUIRE(fresh.get(0, "c") == "3");
  REQUIRE(fresh.get(0, "d") == "4");
}

TEST_CASE("aof listed file missing or bad manifest is fatal", "[aof]") {
  TempDir dir;
  World w;
  fs::create_directory(dir / "appendonlydir");
  write_file(dir / "appendonlydir/appendonly.aof.manifest", "file appendonly.aof.1.incr.aof seq 1 type i\n");
  REQUIRE_THROWS_WITH(load_aof(dir / "appendonlydir", "appendonly.aof", true, w.dbs, w.replayer(), w.logger()),
                      Catch::Contains("doesn't exist"));
  write_file(dir / "appendonlydir/appendonly.aof.manifest", "nonsense\n");
  REQUIRE_THROWS_WITH(load_aof(dir / "appendonlydir", "appendonly.aof", true, w.dbs, w.replayer(), w.logger()),
                      Catch::Contains("FATAL AOF MANIFEST FILE ERROR"));
  REQUIRE_FALSE(load_aof(dir / "nodir", "appendonly.aof", true, w.dbs, w.replayer(), w.logger()).exists);
}
