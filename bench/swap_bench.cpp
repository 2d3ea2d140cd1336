// Cold swap-in through the model pool, against the copy link's bandwidth measured in the same
// run (PipeSwitch's comparison):
//   swap_bench --model a.fim ... [--backend auto|cpu|cuda] [--repeats 5] [--chunk-kib 4096]
//              [--link-gbps G] [--markdown FILE] [--machine TEXT]
// Per model and mode (pinned + pipelined, pinned without pipelining, pageable + pipelined),
// interleaved, N times: a fresh pool with room for that model, one request (a cold swap-in),
// then warm requests. Reports medians and the two ratios the pool is judged by:
//   copy  = copy time / (bytes / bandwidth)             (target <= 1.15)
//   first = first result / max(copy time, compute time)  (target <= 1.2)
// --link-gbps models a host-to-device link on the CPU backend (its copy queue sleeps to that
// bandwidth), so the pipelining is measurable without a GPU; on CUDA the link is real.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "bench/bench_util.h"
#include "engine/fim_graph.h"
#include "runtime/model_pool.h"

namespace fusedinf {
namespace {

// Bytes per millisecond of one large copy from staging to device memory, timed by events.
Result<double> link_bytes_per_ms(Backend& backend, uint64_t bytes) {
  FI_ASSIGN_OR_RETURN(void* host, backend.allocate_staging(bytes));
  FI_ASSIGN_OR_RETURN(void* device, backend.allocate(bytes));
  FI_ASSIGN_OR_RETURN(std::unique_ptr<Queue> queue, backend.create_queue(QueueKind::kCopy));
  FI_ASSIGN_OR_RETURN(std::unique_ptr<Event> start, backend.create_event());
  FI_ASSIGN_OR_RETURN(std::unique_ptr<Event> end, backend.create_event());
  std::vector<double> ms;
  for (int r = 0; r < 5; ++r) {
    FI_RETURN_IF_ERROR(backend.record(*start, *queue));
    FI_RETURN_IF_ERROR(backend.copy_to_device(device, host, bytes, *queue));
    FI_RETURN_IF_ERROR(backend.record(*end, *queue));
    FI_RETURN_IF_ERROR(backend.synchronize(*queue));
    FI_ASSIGN_OR_RETURN(double t, backend.elapsed_ms(*start, *end));
    ms.push_back(t);
  }
  backend.release(device);
  backend.release_staging(host);
  return bytes / bench::median(ms);
}

// "resnet18_op13/model" for .../resnet18_op13/model.fim: the folder names the model.
std::string label(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.parent_path().filename() / p.stem()).string();
}

struct Mode {
  const char* name;
  bool pinned, pipelined;
};
constexpr Mode kModes[] = {
    {"pinned, pipelined", true, true}, {"pinned, not pipelined", true, false}, {"pageable, pipelined", false, true}};

struct Sample {
  double copy_ms = 0, cold_ms = 0, compute_ms = 0;
  uint64_t bytes = 0;
};

// One cold swap-in and `warm` warm runs in a fresh pool that has room for this model only.
Result<Sample> cold_swap(Backend& backend, const std::string& path, const Mode& mode, uint64_t chunk_bytes, int warm) {
  FI_ASSIGN_OR_RETURN(Graph g, load_fim(path));
  const auto inputs = bench::test_inputs(g);
  uint64_t weights = 0;
  for (const Buffer& b : g.buffers) weights += (b.size + 63) / 64 * 64;
  ModelPool pool(backend, UINT64_MAX, mode.pinned ? weights : 0, SwapOptions{chunk_bytes, mode.pipelined});
  FI_RETURN_IF_ERROR(pool.register_model("m", std::move(g)));
  FI_RETURN_IF_ERROR(pool.run("m", inputs).status());
  const ModelMetrics cold = pool.metrics("m");
  std::vector<double> run_ms;
  double before = cold.run_ms;
  for (int r = 0; r < warm; ++r) {
    FI_RETURN_IF_ERROR(pool.run("m", inputs).status());
    const double now = pool.metrics("m").run_ms;
    run_ms.push_back(now - before);
    before = now;
  }
  return Sample{cold.copy_ms, cold.cold_ms, bench::median(run_ms), cold.bytes_copied};
}

int run_swap_bench(const std::vector<std::string>& models, const std::string& backend_name, int repeats,
                   uint64_t chunk_kib, double link_gbps, const std::string& markdown, const std::string& machine) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  };
  std::unique_ptr<Backend> backend;
  if (backend_name == "cpu" || (link_gbps > 0 && backend_name == "auto")) {
    backend = make_cpu_backend(CpuBackendOptions{link_gbps * 1e9, false});
  } else {
    Result<std::unique_ptr<Backend>> made = make_backend(backend_name);
    if (!made.is_ok()) return fail(made.status());
    backend = std::move(*made);
  }
  Result<double> bytes_per_ms = link_bytes_per_ms(*backend, 256ull << 20);
  if (!bytes_per_ms.is_ok()) return fail(bytes_per_ms.status());
  std::string table =
      "Backend: " + std::string(backend->name()) +
      (link_gbps > 0 ? " (modelled link " + std::to_string(link_gbps) + " GB/s)" : "") +
      ". Link bandwidth measured in this run: " + std::to_string(*bytes_per_ms / 1e6) +
      " GB/s (256 MiB pinned copy, median of 5). Chunks of " + std::to_string(chunk_kib) + " KiB; median of " +
      std::to_string(repeats) + " cold swap-ins per row, modes interleaved.\n\n" +
      "| model | mode | MB copied | ideal copy ms | copy ms | copy ratio | compute ms | first result ms "
      "| first / max(copy, compute) |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& path : models) {
    std::map<const Mode*, std::vector<Sample>> samples;
    for (int r = 0; r < repeats; ++r)
      for (const Mode& mode : kModes) {
        Result<Sample> s = cold_swap(*backend, path, mode, chunk_kib * 1024, 3);
        if (!s.is_ok()) return fail(s.status().with_context(path));
        samples[&mode].push_back(*s);
      }
    for (const Mode& mode : kModes) {
      std::vector<double> copy, cold, compute;
      for (const Sample& s : samples[&mode]) {
        copy.push_back(s.copy_ms);
        cold.push_back(s.cold_ms);
        compute.push_back(s.compute_ms);
      }
      const double bytes = static_cast<double>(samples[&mode][0].bytes);
      const double ideal = bytes / *bytes_per_ms, c = bench::median(copy), f = bench::median(cold),
                   k = bench::median(compute);
      char row[512];
      std::snprintf(row, sizeof row, "| %s | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
                    label(path).c_str(), mode.name, bytes / 1e6, ideal, c, ideal > 0 ? c / ideal : 0, k, f,
                    f / std::max(c, k));
      table += row;
    }
  }
  std::printf("%s", table.c_str());
  if (!markdown.empty()) {
    std::ofstream out(markdown, std::ios::app);
    out << "\nMachine: " << machine << "\n\n" << table;
    if (!out) return fail(Status::error("cannot write '" + markdown + "'"));
  }
  return 0;
}

}  // namespace
}  // namespace fusedinf

int main(int argc, char** argv) {
  CLI::App app{"Cold swap-in time of the model pool against the measured link bandwidth"};
  std::vector<std::string> models;
  std::string backend = "auto", markdown, machine = "unspecified";
  int repeats = 5;
  uint64_t chunk_kib = 1024;
  double link_gbps = 0;
  app.add_option("--model", models, ".fim files")->required()->check(CLI::ExistingFile);
  app.add_option("--backend", backend, "cpu, cuda or auto");
  app.add_option("--repeats", repeats, "Cold swap-ins per model and mode")->check(CLI::PositiveNumber);
  app.add_option("--chunk-kib", chunk_kib, "Copy granularity of the pipelined swap-in");
  app.add_option("--link-gbps", link_gbps, "CPU backend only: model a host-to-device link of this bandwidth");
  app.add_option("--markdown", markdown, "Append the table to this file");
  app.add_option("--machine", machine, "Machine description for the table");
  CLI11_PARSE(app, argc, argv);
  return fusedinf::run_swap_bench(models, backend, repeats, chunk_kib, link_gbps, markdown, machine);
}
