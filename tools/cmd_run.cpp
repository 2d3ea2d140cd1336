// fusedinf run model.fim [--input [NAME=]FILE]... [--expect [NAME=]FILE]... [--seed N]
//                        [--tolerance T] [--save-outputs DIR] [--models a,b] [--backend cpu|cuda|auto] [--tf32]
//                        [--no-library-epilogues] [--explain] [--runs N] [--profile N]
#include <algorithm>
#include <cstdio>
#include <map>

#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "runtime/npy.h"
#include "runtime/session.h"
#include "tools/commands.h"
#include "tools/tensor_io.h"

namespace fusedinf::tools {

namespace {

// `runs` profiled runs: the median milliseconds of each node, summed per op (most first), and
// the slowest nodes with what they run.
Status print_profile(Session& session, const std::map<std::string, HostTensor>& inputs, int runs) {
  const Graph& g = session.graph();
  std::vector<std::vector<double>> samples(g.nodes.size());
  for (int r = 0; r < runs; ++r) {
    FI_ASSIGN_OR_RETURN(std::vector<double> ms, session.profile_run(inputs));
    for (size_t n = 0; n < ms.size(); ++n) samples[n].push_back(ms[n]);
  }
  std::vector<double> median(g.nodes.size());
  std::map<std::string, std::pair<int, double>> per_op;  // op -> nodes, ms
  double total = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    std::vector<double>& s = samples[n];
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    median[n] = s[s.size() / 2];
    auto& [count, ms] = per_op[g.nodes[n].op];
    ++count, ms += median[n];
    total += median[n];
  }
  std::vector<std::pair<std::string, std::pair<int, double>>> ops(per_op.begin(), per_op.end());
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  std::printf("profile: median of %d node-by-node runs (events around each node; no CUDA graph): %.3f ms in nodes\n",
              runs, total);
  for (const auto& [op, v] : ops)
    std::printf("  %-22s %4d nodes %9.3f ms %5.1f %%\n", op.c_str(), v.first, v.second,
                total > 0 ? 100 * v.second / total : 0.0);
  std::vector<size_t> order(g.nodes.size());
  for (size_t n = 0; n < order.size(); ++n) order[n] = n;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return median[a] > median[b]; });
  std::printf("slowest nodes:\n");
  for (size_t i = 0; i < std::min<size_t>(10, order.size()); ++i) {
    const size_t n = order[i];
    const std::string how = session.describe_node(n);
    std::printf("  %9.3f ms  %s (%s)%s%s\n", median[n], g.nodes[n].name.c_str(), g.nodes[n].op.c_str(),
                how.empty() ? "" : ": ", how.c_str());
  }
  return Status::ok();
}

int run_model(const std::string& path, const std::vector<std::string>& input_args,
              const std::vector<std::string>& expect_args, uint64_t seed, double tolerance, const std::string& save_dir,
              const std::vector<std::string>& members, const std::string& backend_name,
              const BackendOptions& backend_options, bool explain, int runs, int profile_runs) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  };
  Result<Graph> loaded = load_fim(path);
  if (!loaded.is_ok()) return fail(loaded.status());
  Result<Graph> graph = select_members(*loaded, members);
  if (!graph.is_ok()) return fail(graph.status());
  Result<std::map<std::string, HostTensor>> inputs = bind_tensor_args(input_args, graph->inputs, "input");
  if (!inputs.is_ok()) return fail(inputs.status());
  Result<std::map<std::string, HostTensor>> expected = bind_tensor_args(expect_args, graph->outputs, "output");
  if (!expected.is_ok()) return fail(expected.status());
  uint64_t input_index = 0;
  for (const GraphIo& io : graph->inputs) {
    ++input_index;
    if (inputs->count(io.name)) continue;
    const Tensor& t = graph->tensors[io.tensor];
    HostTensor r = random_tensor(t.dtype, t.shape, seed * 1000003 + input_index);
    r.name = io.name;
    std::printf("input %s: random (seed %llu) %s\n", io.name.c_str(), static_cast<unsigned long long>(seed),
                describe_tensor(r).c_str());
    inputs->emplace(io.name, std::move(r));
  }
  Result<std::unique_ptr<Backend>> backend = make_backend(backend_name, backend_options);
  if (!backend.is_ok()) return fail(backend.status());
  std::printf("backend: %s\n", std::string((*backend)->name()).c_str());
  Result<Session> session = Session::create(**backend, std::move(*graph));
  if (!session.is_ok()) return fail(session.status());
  if (explain) {
    for (size_t n = 0; n < session->graph().nodes.size(); ++n) {
      const std::string how = session->describe_node(n);
      if (how.empty()) continue;
      const Node& node = session->graph().nodes[n];
      std::printf("node %s (%s): %s\n", node.name.c_str(), node.op.c_str(), how.c_str());
    }
  }
  // Later runs replay what the second one recorded (a CUDA graph): --runs 3 checks that path.
  Result<std::vector<HostTensor>> outputs = Status::error("--runs must be at least 1");
  for (int r = 0; r < runs; ++r) {
    outputs = session->run(*inputs);
    if (!outputs.is_ok()) return fail(outputs.status().with_context("run " + std::to_string(r + 1)));
  }
  if (!outputs.is_ok()) return fail(outputs.status());
  if (runs > 1) std::printf("outputs of run %d of %d:\n", runs, runs);
  if (profile_runs > 0) {
    const Status profiled = print_profile(*session, *inputs, profile_runs);
    if (!profiled.is_ok()) return fail(profiled);
  }
  int code = 0;
  for (const HostTensor& out : *outputs) {
    std::printf("output %s: %s\n", out.name.c_str(), describe_tensor(out).c_str());
    if (!save_dir.empty()) {
      Status s = write_npy(tensor_file_path(save_dir, out.name), out);
      if (!s.is_ok()) return fail(s.with_context("output '" + out.name + "'"));
    }
    auto want = expected->find(out.name);
    if (want == expected->end()) continue;
    want->second.name = out.name;
    Result<double> err = relative_l2_error(out, want->second);
    if (!err.is_ok()) return fail(err.status());
    const bool ok = *err <= tolerance;
    std::printf("  vs expected: relative L2 error %.3g (tolerance %.3g): %s\n", *err, tolerance,
                ok ? "match" : "MISMATCH");
    if (!ok) code = 1;
  }
  return code;
}
}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string path, save_dir, backend = "auto";
    BackendOptions backend_options;
    std::vector<std::string> inputs, expects, members;
    uint64_t seed = 0;
    double tolerance = 1e-4;
    bool own_epilogues = false, explain = false;
    int runs = 1, profile_runs = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("run", "Run a .fim model (on the GPU when there is one, else the CPU)");
  cmd->add_option("model", args->path, ".fim file")->required();
  cmd->add_option("--input", args->inputs,
                  "[NAME=]FILE (.npy or .pb); random where none is given. NAME is the tensor's name as is "
                  "('/', ':', '=', spaces allowed)")
      ->allow_extra_args(false);  // one FILE per --input: `--input a.npy model.fim` keeps the model
  cmd->add_option("--expect", args->expects, "[NAME=]FILE: expected output (NAME as is); mismatch exits 1")
      ->allow_extra_args(false);
  cmd->add_option("--seed", args->seed, "Seed of the random inputs");
  cmd->add_option("--tolerance", args->tolerance, "Largest relative L2 error accepted by --expect");
  cmd->add_option("--models", args->members, "Members of a fused group to run (default: all)")->delimiter(',');
  cmd->add_option("--save-outputs", args->save_dir,
                  "Write each output as DIR/NAME.npy, NAME escaped: bytes other than A-Z a-z 0-9 - _ . (and a "
                  "leading .) become %XX, so 'a/b:0' is DIR/a%2Fb%3A0.npy");
  cmd->add_option("--backend", args->backend, "cpu, cuda or auto (CUDA when a GPU is usable)");
  cmd->add_flag("--tf32", args->backend_options.allow_tf32, "CUDA: allow TF32 in cuBLAS/cuDNN (default: exact fp32)");
  cmd->add_flag("--no-library-epilogues", args->own_epilogues,
                "CUDA: bias and activation always in our epilogue kernel, never fused into cuDNN/cuBLASLt calls");
  cmd->add_option("--runs", args->runs, "Run N times, report the last (from the third on, a recorded CUDA graph)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--profile", args->profile_runs,
                  "After the runs, N node-by-node runs timed with the backend's events: time per op and slowest nodes")
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("--explain", args->explain,
                "Print how each node runs (library, algorithm, fusion) where the backend chose");
  cmd->callback([args, &exit_code] {
    args->backend_options.library_epilogues = !args->own_epilogues;
    exit_code =
        run_model(args->path, args->inputs, args->expects, args->seed, args->tolerance, args->save_dir, args->members,
                  args->backend, args->backend_options, args->explain, args->runs, args->profile_runs);
  });
}

}  // namespace fusedinf::tools
