// fusedinf import model.onnx -o model.fim [--batch N] [--shape NAME=D0,D1,...]... [--constant-input NAME=V,...]...
//                 [--name NAME] [--passes none|default|LIST]
#include <cstdio>

#include "engine/fim_graph.h"
#include "tools/commands.h"
#include "tools/model_files.h"

namespace fusedinf::tools {

void add_import_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string onnx_path, fim_path;
    ModelLoadOptions load;
    InputArgs input_args;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("import", "Convert an ONNX model into a .fim file");
  cmd->add_option("model", args->onnx_path, "ONNX model")->required();
  cmd->add_option("-o,--output", args->fim_path, ".fim file to write")->required();
  add_input_options(*cmd, args->input_args);
  cmd->add_option("--name", args->load.name, "Model name (default: the file name)");
  cmd->add_option("--passes", args->load.passes, "Graph passes: none, default, or a comma-separated list");
  cmd->callback([args, &exit_code] {
    auto fail = [&](const Status& s) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      exit_code = 1;
    };
    if (args->onnx_path.size() < 5 || args->onnx_path.substr(args->onnx_path.size() - 5) != ".onnx")
      return fail(Status::error("'" + args->onnx_path + "': expected a .onnx file"));
    const Status parsed = parse_input_args(args->input_args, args->load);
    if (!parsed.is_ok()) return fail(parsed);
    Result<Graph> graph = load_model_file(args->onnx_path, args->load);
    if (!graph.is_ok()) return fail(graph.status());
    Result<FimWriteStats> stats = save_fim(*graph, args->fim_path);
    if (!stats.is_ok()) return fail(stats.status());
    std::printf("%s: %zu nodes, %zu tensors, %llu weight bytes (%llu unique), %llu file bytes -> %s\n",
                graph->name.c_str(), graph->nodes.size(), graph->tensors.size(),
                static_cast<unsigned long long>(stats->weight_bytes),
                static_cast<unsigned long long>(stats->unique_weight_bytes),
                static_cast<unsigned long long>(stats->file_bytes), args->fim_path.c_str());
  });
}

}  // namespace fusedinf::tools
