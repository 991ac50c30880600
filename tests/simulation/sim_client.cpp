#include "sim_client.h"

#include <charconv>

namespace vigil::sim {

SimClient::SimClient(Fabric& fabric, ProcessId id, ClientSpec spec, Prng prng)
    : Process(id, "c" + std::to_string(id)), fabric_(fabric), spec_(std::move(spec)), prng_(prng) {}

void SimClient::start() {
  running_ = true;
  next(ms(prng_.between(0, 100)));
}

void SimClient::next(Micros delay) {
  const std::uint64_t gen = ++op_gen_;
  fabric_.scheduler().after(delay, [this, gen]() {
    if (gen != op_gen_ || !running_) return;
    deliver([this, gen]() {
      if (gen == op_gen_ && running_) step();
    });
  });
}

void SimClient::step() {
  if (master_conn_ && fabric_.network().is_open_at(*master_conn_, id())) return write();
  master_conn_.reset();
  discover();
}

void SimClient::drop_master() {
  if (master_conn_) fabric_.network().close(*master_conn_, id());
  master_conn_.reset();
}

void SimClient::discover() {
  const std::uint64_t gen = op_gen_;
  const ProcessId sid = spec_.sentinels[next_sentinel_++ % spec_.sentinels.size()];
  const ConnId conn = fabric_.connect(id(), sid, []() {}, [this, gen]() {
    if (gen == op_gen_) next(ms(100));
  });
  Request req{{"SENTINEL", "get-master-addr-by-name", spec_.master_name}, [this, gen, conn](const Reply& r) {
                fabric_.network().close(conn, id());
                if (gen != op_gen_) return;
                if (r.type != Reply::Type::Array || r.elements.size() != 2) return next(ms(100));
                int port = 0;
                const std::string& p = r.elements[1].str;
                std::from_chars(p.data(), p.data() + p.size(), port);
                Process* master = fabric_.resolve(r.elements[0].str, port);
                if (!master) return next(ms(100));
                const ConnId mc = fabric_.connect(id(), master->id(), []() {}, [this]() {});
                master_conn_ = mc;
                next(0);
              }};
  fabric_.send_request(conn, id(), std::move(req));
  fabric_.scheduler().after(spec_.timeout, [this, gen, conn]() {
    if (gen != op_gen_) return;
    fabric_.network().close(conn, id());
    next(ms(100));
  });
}

void SimClient::write() {
  const std::uint64_t gen = op_gen_;
  ++attempted_;
  Request req{{"SET", "k" + std::to_string(id()), std::to_string(attempted_)}, [this, gen](const Reply& r) {
                if (gen != op_gen_) return;  // too late: the client already gave up
                if (r.type == Reply::Type::Status && r.str == "OK") {
                  acked_.push_back(static_cast<WriteId>(r.integer));
                } else {
                  ++errors_;
                  drop_master();  // READONLY: the node was demoted; ask a sentinel again
                }
                next(spec_.write_interval);
              }};
  fabric_.send_request(*master_conn_, id(), std::move(req));
  fabric_.scheduler().after(spec_.timeout, [this, gen]() {
    if (gen != op_gen_) return;
    ++indeterminate_;
    drop_master();
    next(spec_.write_interval);
  });
}

}  // namespace vigil::sim
