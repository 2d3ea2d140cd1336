// fusedinf's side of bench/latency_vs_torch.py: loads one model on a backend, then answers
// commands on stdin, one per line, so that the driver can interleave fusedinf with PyTorch in
// one run on one GPU:
//   run N        -> "ms T1 T2 ... TN"   N timed runs (host clock around each synchronous run)
//   output FILE  -> "ok"               writes the output of the last run as .npy
//   memory       -> "bytes ARENA WEIGHTS"
//   quit
// Errors answer "error MESSAGE". Usage:
//   latency_server model.fim --input FILE.npy [--backend auto|cpu|cuda] [--warmup 5]
//                  [--no-library-epilogues]  (CUDA: bias/activation always in our own kernel)
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "engine/fim_graph.h"
#include "runtime/npy.h"
#include "runtime/session.h"

namespace fusedinf {
namespace {

int serve(const std::string& model, const std::string& input_path, const std::string& backend_name,
          const BackendOptions& options, int warmup) {
  auto fail = [](const Status& s) {
    std::printf("error %s\n", s.message().c_str());
    return 1;
  };
  Result<Graph> graph = load_fim(model);
  if (!graph.is_ok()) return fail(graph.status());
  if (graph->inputs.size() != 1) return fail(Status::error("expected a model with one input"));
  Result<HostTensor> input = read_npy(input_path);
  if (!input.is_ok()) return fail(input.status());
  std::map<std::string, HostTensor> inputs{{graph->inputs[0].name, *input}};
  Result<std::unique_ptr<Backend>> backend = make_backend(backend_name, options);
  if (!backend.is_ok()) return fail(backend.status());
  Result<Session> session = Session::create(**backend, std::move(*graph));
  if (!session.is_ok()) return fail(session.status());
  Result<std::vector<HostTensor>> last = Status::error("not run yet");
  for (int i = 0; i < warmup; ++i) {
    last = session->run(inputs);
    if (!last.is_ok()) return fail(last.status());
  }
  std::printf("ready %s\n", std::string((*backend)->name()).c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "quit") break;
    if (command == "run") {
      int n = 0;
      words >> n;
      std::string reply = "ms";
      for (int i = 0; i < n; ++i) {
        const auto start = std::chrono::steady_clock::now();
        last = session->run(inputs);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (!last.is_ok()) break;
        reply += " " + std::to_string(ms);
      }
      if (!last.is_ok()) reply = "error " + last.status().message();
      std::printf("%s\n", reply.c_str());
    } else if (command == "output") {
      std::string file;
      words >> file;
      Status s = last.is_ok() ? write_npy(file, (*last)[0]) : last.status();
      std::printf("%s\n", s.is_ok() ? "ok" : ("error " + s.message()).c_str());
    } else if (command == "memory") {
      std::printf("bytes %llu %llu\n", static_cast<unsigned long long>(Session::arena_bytes(session->plan())),
                  static_cast<unsigned long long>(session->weight_bytes()));
    } else {
      std::printf("error unknown command '%s'\n", command.c_str());
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace fusedinf

int main(int argc, char** argv) {
  CLI::App app{"fusedinf's side of bench/latency_vs_torch.py"};
  std::string model, input, backend = "auto";
  int warmup = 5;
  bool own_epilogues = false;
  app.add_option("model", model, ".fim file")->required()->check(CLI::ExistingFile);
  app.add_option("--input", input, "Input tensor (.npy)")->required()->check(CLI::ExistingFile);
  app.add_option("--backend", backend, "cpu, cuda or auto");
  app.add_option("--warmup", warmup, "Untimed runs first (the second run records a CUDA graph)");
  app.add_flag("--no-library-epilogues", own_epilogues, "CUDA: never fuse bias/activation into cuDNN/cuBLASLt calls");
  CLI11_PARSE(app, argc, argv);
  fusedinf::BackendOptions options;
  options.library_epilogues = !own_epilogues;
  return fusedinf::serve(model, input, backend, options, warmup);
}
