// fusedinf import model.onnx -o model.fim [--batch N] [--name NAME]
#include <cstdio>

#include "engine/fim_graph.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "tools/commands.h"

namespace fusedinf::tools {

void add_import_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string onnx_path, fim_path, name;
    int64_t batch = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("import", "Convert an ONNX model into a .fim file");
  cmd->add_option("model", args->onnx_path, "ONNX model")->required();
  cmd->add_option("-o,--output", args->fim_path, ".fim file to write")->required();
  cmd->add_option("--batch", args->batch, "Value of symbolic (batch) dimensions")->check(CLI::PositiveNumber);
  cmd->add_option("--name", args->name, "Model name (default: the file name)");
  cmd->callback([args, &exit_code] {
    importer::ImportOptions options;
    options.batch_size = args->batch;
    options.model_name = args->name;
    options.evaluator = cpu::run_cpu_node;
    Result<Graph> graph = importer::import_onnx_file(args->onnx_path, options);
    if (!graph.is_ok()) {
      std::fprintf(stderr, "error: %s: %s\n", args->onnx_path.c_str(), graph.status().message().c_str());
      exit_code = 1;
      return;
    }
    Result<FimWriteStats> stats = save_fim(*graph, args->fim_path);
    if (!stats.is_ok()) {
      std::fprintf(stderr, "error: %s\n", stats.status().message().c_str());
      exit_code = 1;
      return;
    }
    std::printf("%s: %zu nodes, %zu tensors, %llu weight bytes (%llu unique), %llu file bytes -> %s\n",
                graph->name.c_str(), graph->nodes.size(), graph->tensors.size(),
                static_cast<unsigned long long>(stats->weight_bytes),
                static_cast<unsigned long long>(stats->unique_weight_bytes),
                static_cast<unsigned long long>(stats->file_bytes), args->fim_path.c_str());
  });
}

}  // namespace fusedinf::tools
