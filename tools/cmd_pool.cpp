// fusedinf pool --models DIR --budget 2GiB --trace requests.txt [--staging-budget 1GiB] [--seed N]
//               [--backend cpu|cuda|auto] [--chunk-kib K] [--no-pipelining]
// Registers every .fim in DIR (named by file name), replays the trace (one model name per
// line, optionally preceded by an arrival time in milliseconds) with random inputs, and prints
// each model's swap-ins, evictions, bytes copied, copy time, bandwidth, queue and run time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/fim_graph.h"
#include "runtime/model_pool.h"
#include "tools/commands.h"
#include "tools/tensor_io.h"

namespace fusedinf::tools {

namespace {

Result<uint64_t> parse_bytes(const std::string& text) {
  static const std::pair<const char*, uint64_t> units[] = {
      {"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}, {"GB", 1000000000ull},
      {"MB", 1000000ull},  {"KB", 1000ull},     {"B", 1ull},         {"", 1ull}};
  for (const auto& [unit, scale] : units) {
    const std::string u(unit);
    if (text.size() <= u.size() || text.compare(text.size() - u.size(), u.size(), u) != 0) continue;
    const std::string number = text.substr(0, text.size() - u.size());
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (end == number.c_str() || *end != '\0' || !(value > 0) || value * scale > 1.8e19)
      return Status::error("bad budget '" + text + "' (e.g. 512MiB, 2GiB, 1000000)");
    return static_cast<uint64_t>(value * static_cast<double>(scale));
  }
  return Status::error("bad budget '" + text + "'");
}

struct Request {
  double arrival_ms = 0;
  std::string model;
  int line = 0;
};

Result<std::vector<Request>> read_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::error("cannot open trace '" + path + "'");
  std::vector<Request> requests;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty() || w[0][0] == '#') continue;
    Request r;
    r.line = n;
    if (w.size() == 1) {
      r.model = w[0];
    } else if (w.size() == 2) {
      char* end = nullptr;
      r.arrival_ms = std::strtod(w[0].c_str(), &end);
      if (*end != '\0' || r.arrival_ms < 0)
        return Status::error(path + ":" + std::to_string(n) + ": bad arrival time '" + w[0] + "'");
      r.model = w[1];
    } else {
      return Status::error(path + ":" + std::to_string(n) + ": expected '[ARRIVAL_MS] MODEL'");
    }
    requests.push_back(r);
  }
  return requests;
}

int replay(const std::string& dir, const std::string& budget_text, const std::string& staging_text,
           const std::string& trace, uint64_t seed, const std::string& backend_name, const SwapOptions& swap) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  };
  Result<uint64_t> budget = parse_bytes(budget_text);
  if (!budget.is_ok()) return fail(budget.status());
  Result<uint64_t> staging = staging_text == "0" ? Result<uint64_t>(uint64_t{0}) : parse_bytes(staging_text);
  if (!staging.is_ok()) return fail(staging.status());
  Result<std::vector<Request>> requests = read_trace(trace);
  if (!requests.is_ok()) return fail(requests.status());
  Result<std::unique_ptr<Backend>> backend = make_backend(backend_name);
  if (!backend.is_ok()) return fail(backend.status());
  std::printf("backend: %s\n", std::string((*backend)->name()).c_str());
  ModelPool pool(**backend, *budget, *staging, swap);
  std::map<std::string, std::map<std::string, HostTensor>> inputs;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".fim") files.push_back(entry.path());
  if (ec) return fail(Status::error("cannot list '" + dir + "': " + ec.message()));
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    Result<Graph> g = load_fim(path.string());
    if (!g.is_ok()) return fail(g.status());
    const std::string name = path.stem().string();
    uint64_t k = 0;
    for (const GraphIo& io : g->inputs) {
      HostTensor t = random_tensor(g->tensors[io.tensor].dtype, g->tensors[io.tensor].shape, seed * 7919 + ++k);
      inputs[name][io.name] = std::move(t);
    }
    Status s = pool.register_model(name, std::move(*g));
    if (!s.is_ok()) return fail(s);
  }
  const auto start = std::chrono::steady_clock::now();
  for (const Request& r : *requests) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(r.arrival_ms * 1000)));
    if (!inputs.count(r.model))
      return fail(Status::error(trace + ":" + std::to_string(r.line) + ": no model '" + r.model + "' in " + dir));
    auto out = pool.run(r.model, inputs[r.model]);
    if (!out.is_ok()) return fail(out.status());
  }
  std::printf("budget %llu bytes, peak %llu bytes, %zu requests, resident at the end:",
              static_cast<unsigned long long>(*budget), static_cast<unsigned long long>(pool.peak_bytes()),
              requests->size());
  for (const std::string& m : pool.resident_models()) std::printf(" %s", m.c_str());
  std::printf("\nstaging: %llu bytes\n%-24s %8s %8s %9s %14s %10s %8s %10s %10s %10s %10s\n",
              static_cast<unsigned long long>(pool.staging_bytes()), "model", "requests", "swap-ins", "evictions",
              "bytes copied", "copy ms", "GB/s", "swap ms", "cold ms", "queue ms", "run ms");
  for (const std::string& m : pool.model_names()) {
    const ModelMetrics x = pool.metrics(m);
    std::printf("%-24s %8llu %8llu %9llu %14llu %10.2f %8.2f %10.2f %10.2f %10.2f %10.2f\n", m.c_str(),
                static_cast<unsigned long long>(x.requests), static_cast<unsigned long long>(x.swap_ins),
                static_cast<unsigned long long>(x.evictions), static_cast<unsigned long long>(x.bytes_copied),
                x.copy_ms, x.bandwidth_gbps(), x.swap_ms, x.cold_ms, x.queue_ms, x.run_ms);
  }
  return 0;
}

}  // namespace

void add_pool_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string dir, budget, staging = "0", trace, backend = "auto";
    uint64_t seed = 0;
    uint64_t chunk_kib = 1024;
    bool no_pipelining = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("pool", "Replay a request trace through the model pool");
  cmd->add_option("--models", args->dir, "Folder of .fim files")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--budget", args->budget, "Device memory budget (e.g. 512MiB, 2GiB)")->required();
  cmd->add_option("--staging-budget", args->staging, "Host staging memory for weights (default 0: read from files)");
  cmd->add_option("--trace", args->trace, "Requests: one '[ARRIVAL_MS] MODEL' per line")->required();
  cmd->add_option("--seed", args->seed, "Seed of the random inputs");
  cmd->add_option("--backend", args->backend, "cpu, cuda or auto (CUDA when a GPU is usable)");
  cmd->add_option("--chunk-kib", args->chunk_kib, "Copy granularity of a pipelined swap-in (KiB)");
  cmd->add_flag("--no-pipelining", args->no_pipelining, "The first run after a swap-in waits for the whole copy");
  cmd->callback([args, &exit_code] {
    const SwapOptions swap{args->chunk_kib * 1024, !args->no_pipelining};
    exit_code = replay(args->dir, args->budget, args->staging, args->trace, args->seed, args->backend, swap);
  });
}

}  // namespace fusedinf::tools
