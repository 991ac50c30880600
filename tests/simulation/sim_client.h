// A simulated application client: discovers the master through a sentinel
// (SENTINEL GET-MASTER-ADDR-BY-NAME, like every Sentinel-aware library), writes
// one value at a time, and records which writes were acknowledged. A timeout or
// a broken connection makes the outcome indeterminate (not counted as acked); an
// error (READONLY) sends it back to discovery.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fabric.h"
#include "history.h"
#include "prng.h"

namespace vigil::sim {

struct ClientSpec {
  std::string master_name = "mymaster";
  std::vector<ProcessId> sentinels;
  Micros write_interval = ms(100);
  Micros timeout = ms(1000);
};

class SimClient : public Process {
 public:
  SimClient(Fabric& fabric, ProcessId id, ClientSpec spec, Prng prng);

  void start();
  void stop() { running_ = false; ++op_gen_; }

  const std::vector<WriteId>& acked() const { return acked_; }
  std::uint64_t attempted() const { return attempted_; }
  std::uint64_t errors() const { return errors_; }
  std::uint64_t indeterminate() const { return indeterminate_; }

  void receive(ConnId, Request) override {}
  void accept(ConnId) override {}
  void connection_closed(ConnId) override {}

 private:
  void next(Micros delay);
  void step();
  void discover();
  void write();
  void drop_master();

  Fabric& fabric_;
  ClientSpec spec_;
  Prng prng_;
  bool running_ = false;
  std::uint64_t op_gen_ = 0;
  std::size_t next_sentinel_ = 0;
  std::optional<ConnId> master_conn_;
  std::vector<WriteId> acked_;
  std::uint64_t attempted_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t indeterminate_ = 0;
};

}  // namespace vigil::sim
