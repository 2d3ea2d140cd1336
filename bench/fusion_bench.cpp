// Separate versus fused (the FusedInf paper's comparison), on the CPU backend:
//   fusion_bench --group group.fim --member a.fim --member b.fim ... [--repeats N] [--markdown FILE]
// Interleaves, N times: load + run every member one after another ("separate") and load + run
// the group once ("fused"); reports the median of each, and planned memory (weights + arena).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

#include "bench/bench_util.h"
#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "runtime/session.h"

namespace fusedinf {
namespace {

using Clock = std::chrono::steady_clock;

struct Measure {
  double load_ms = 0, run_ms = 0;
  uint64_t weight_bytes = 0, arena_bytes = 0;
  size_t nodes = 0;
};

Result<Measure> load_and_run(const std::vector<std::string>& paths) {
  Measure m;
  for (const std::string& path : paths) {
    const auto t0 = Clock::now();
    FI_ASSIGN_OR_RETURN(Graph g, load_fim(path));
    m.weight_bytes += unique_weight_bytes(g);
    m.nodes += g.nodes.size();
    auto inputs = bench::test_inputs(g);
    FI_ASSIGN_OR_RETURN(Session s, Session::create(std::move(g)));
    const auto t1 = Clock::now();
    m.arena_bytes += s.plan().memory.arena_size;
    FI_ASSIGN_OR_RETURN(auto outputs, s.run(inputs));
    const auto t2 = Clock::now();
    m.load_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
    m.run_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
  }
  return m;
}

int main_impl(int argc, char** argv) {
  std::string group, markdown, machine = "unknown machine";
  std::vector<std::string> members;
  int repeats = 5;
  CLI::App app{"separate versus fused, CPU backend"};
  app.add_option("--group", group, "fused group .fim")->required();
  app.add_option("--member", members, "member .fim files, run one after another")->required();
  app.add_option("--repeats", repeats, "interleaved repetitions (median reported)");
  app.add_option("--markdown", markdown, "append the table to this file");
  app.add_option("--machine", machine, "machine description for the table");
  CLI11_PARSE(app, argc, argv);
  std::vector<double> sep_load, sep_run, fus_load, fus_run;
  Measure sep, fus;
  for (int r = 0; r < repeats; ++r) {
    Result<Measure> a = load_and_run(members);
    Result<Measure> b = load_and_run({group});
    if (!a.is_ok() || !b.is_ok()) {
      std::fprintf(stderr, "error: %s\n", (a.is_ok() ? b.status() : a.status()).message().c_str());
      return 1;
    }
    sep = *a, fus = *b;
    sep_load.push_back(a->load_ms), sep_run.push_back(a->run_ms);
    fus_load.push_back(b->load_ms), fus_run.push_back(b->run_ms);
  }
  char table[4096];
  std::snprintf(table, sizeof table,
                "| metric | separate | fused | fused / separate |\n|---|---|---|---|\n"
                "| end-to-end run, all models (ms, median of %d) | %.1f | %.1f | %.3f |\n"
                "| load: map + verify + plan (ms, median) | %.1f | %.1f | %.3f |\n"
                "| weight bytes | %llu | %llu | %.3f |\n"
                "| activation arena bytes (sum of arenas / one arena) | %llu | %llu | %.3f |\n"
                "| planned memory: weights + arena | %llu | %llu | %.3f |\n"
                "| nodes run | %zu | %zu | %.3f |\n",
                repeats, bench::median(sep_run), bench::median(fus_run),
                bench::median(fus_run) / bench::median(sep_run), bench::median(sep_load), bench::median(fus_load),
                bench::median(fus_load) / bench::median(sep_load), (unsigned long long)sep.weight_bytes,
                (unsigned long long)fus.weight_bytes, double(fus.weight_bytes) / sep.weight_bytes,
                (unsigned long long)sep.arena_bytes, (unsigned long long)fus.arena_bytes,
                double(fus.arena_bytes) / sep.arena_bytes, (unsigned long long)(sep.weight_bytes + sep.arena_bytes),
                (unsigned long long)(fus.weight_bytes + fus.arena_bytes),
                double(fus.weight_bytes + fus.arena_bytes) / (sep.weight_bytes + sep.arena_bytes), sep.nodes, fus.nodes,
                double(fus.nodes) / sep.nodes);
  std::printf("%s", table);
  if (!markdown.empty()) {
    std::ofstream out(markdown, std::ios::app);
    out << "\nMachine: " << machine << "\n\n" << table;
  }
  return 0;
}

}  // namespace
}  // namespace fusedinf

int main(int argc, char** argv) { return fusedinf::main_impl(argc, argv); }
