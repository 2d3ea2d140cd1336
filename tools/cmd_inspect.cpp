// fusedinf inspect model.fim [--json]: ops, tensors, inputs/outputs, weight bytes.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/fim_graph.h"
#include "tools/commands.h"

namespace fusedinf::tools {

namespace {
nlohmann::json io_json(const Graph& g, const std::vector<GraphIo>& ios) {
  nlohmann::json list = nlohmann::json::array();
  for (const GraphIo& io : ios)
    list.push_back({{"name", io.name},
                    {"dtype", std::string(dtype_name(g.tensors[io.tensor].dtype))},
                    {"shape", g.tensors[io.tensor].shape}});
  return list;
}
}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string path;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show a .fim file's ops, tensors and weights");
  cmd->add_option("model", args->path, ".fim file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &exit_code] {
    Result<Graph> loaded = load_fim(args->path);
    if (!loaded.is_ok()) {
      std::fprintf(stderr, "error: %s\n", loaded.status().message().c_str());
      exit_code = 1;
      return;
    }
    const Graph& g = *loaded;
    std::map<std::string, int> op_counts;
    for (const Node& n : g.nodes) ++op_counts[n.op];
    uint64_t weight_bytes = 0, unique_bytes = 0;
    std::set<int> buffers;
    for (const Tensor& t : g.tensors) {
      if (!t.is_constant()) continue;
      weight_bytes += g.buffers[t.buffer].size;
      if (buffers.insert(t.buffer).second) unique_bytes += g.buffers[t.buffer].size;
    }
    nlohmann::json j = {{"name", g.name},
                        {"nodes", g.nodes.size()},
                        {"tensors", g.tensors.size()},
                        {"ops", op_counts},
                        {"inputs", io_json(g, g.inputs)},
                        {"outputs", io_json(g, g.outputs)},
                        {"weight_bytes", weight_bytes},
                        {"unique_weight_bytes", unique_bytes}};
    if (args->json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("model %s: %zu nodes, %zu tensors\n", g.name.c_str(), g.nodes.size(), g.tensors.size());
    for (const auto& [label, ios] : {std::pair{"input", &g.inputs}, std::pair{"output", &g.outputs}})
      for (const GraphIo& io : *ios)
        std::printf("  %s %s: %s %s\n", label, io.name.c_str(), std::string(dtype_name(g.tensors[io.tensor].dtype)).c_str(),
                    shape_to_string(g.tensors[io.tensor].shape).c_str());
    std::printf("ops:\n");
    for (const auto& [op, count] : op_counts) std::printf("  %-24s %d\n", op.c_str(), count);
    std::printf("weight bytes: %llu total, %llu unique\n", static_cast<unsigned long long>(weight_bytes),
                static_cast<unsigned long long>(unique_bytes));
  });
}

}  // namespace fusedinf::tools
