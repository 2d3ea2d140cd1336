// fusedinf fuse [NAME=]a.onnx|a.fim [NAME=]b.onnx|b.fim ... -o group.fim
//               [--share-input] [--bind GROUP_INPUT=member/input,member/input]...
#include <cstdio>
#include <sstream>

#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "tools/commands.h"
#include "tools/model_files.h"

namespace fusedinf::tools {

void add_fuse_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> models, binds;
    std::string output;
    bool share_input = false;
    int64_t batch = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("fuse", "Fuse several models into one group .fim");
  cmd->add_option("models", args->models, "[NAME=]model.onnx|model.fim (name defaults to the file name)")
      ->required()
      ->expected(1, -1);
  cmd->add_option("-o,--output", args->output, "Group .fim file to write")->required();
  cmd->add_flag("--share-input", args->share_input, "Bind inputs of the same name in several models to one tensor");
  cmd->add_option("--bind", args->binds, "GROUP_INPUT=member/input,member/input: bind these inputs to one tensor");
  cmd->add_option("--batch", args->batch, "Value of symbolic dimensions when importing ONNX files");
  cmd->callback([args, &exit_code] {
    auto fail = [&](const Status& s) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      exit_code = 1;
    };
    std::vector<FuseMember> members;
    for (const std::string& arg : args->models) {
      auto [name, path] = split_named_path(arg);
      ModelLoadOptions load;
      load.name = name;
      load.batch = args->batch;
      Result<Graph> graph = load_model_file(path, load);
      if (!graph.is_ok()) return fail(graph.status());
      members.push_back({graph->name, std::move(*graph)});
    }
    FuseOptions options;
    options.share_same_named_inputs = args->share_input;
    for (const std::string& bind : args->binds) {
      auto [name, list] = split_named_path(bind);
      if (name.empty()) return fail(Status::error("--bind '" + bind + "': expected GROUP_INPUT=member/input,..."));
      SharedInput shared{name, {}};
      std::stringstream items(list);
      for (std::string item; std::getline(items, item, ',');) shared.member_inputs.push_back(item);
      options.shared_inputs.push_back(std::move(shared));
    }
    FuseReport report;
    Result<Graph> group = fuse_models(std::move(members), options, &report);
    if (!group.is_ok()) return fail(group.status());
    Result<FimWriteStats> stats = save_fim(*group, args->output);
    if (!stats.is_ok()) return fail(stats.status());
    std::printf("fused %zu models -> %s\n", group->signatures.size(), args->output.c_str());
    std::printf("  nodes:        %d alone, %d fused (%d shared)\n", report.nodes_before, report.nodes_after,
                report.shared_nodes);
    std::printf("  weight bytes: %llu alone, %llu fused (%llu saved)\n",
                static_cast<unsigned long long>(report.weight_bytes_before),
                static_cast<unsigned long long>(report.weight_bytes_after),
                static_cast<unsigned long long>(report.weight_bytes_before - report.weight_bytes_after));
  });
}

}  // namespace fusedinf::tools
