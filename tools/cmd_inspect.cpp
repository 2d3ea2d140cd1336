// fusedinf inspect model.fim [--json]: ops, tensors, inputs/outputs, weight bytes.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/activation_plan.h"
#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "kernels/cpu/cpu_kernels.h"
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
    bool plan = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show a .fim file's ops, tensors and weights");
  cmd->add_option("model", args->path, ".fim file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->add_flag("--plan", args->plan, "Show the memory plan: arena, lower bound, per-node offsets");
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
    j["history"] = g.history;
    if (!g.signatures.empty()) {
      nlohmann::json members = nlohmann::json::array();
      for (const Signature& sig : g.signatures) members.push_back(sig.name);
      j["members"] = members;
    }
    const ActivationPlan plan = plan_activations(g, cpu::cpu_workspace_per_node(g));
    if (args->plan) {
      nlohmann::json nodes = nlohmann::json::array();
      for (const Node& n : g.nodes) {
        nlohmann::json outs = nlohmann::json::array();
        for (int t : n.outputs)
          outs.push_back({{"tensor", g.tensors[t].name},
                          {"offset", plan.tensor_offset[t]},
                          {"bytes", num_elements(g.tensors[t].shape) * dtype_size(g.tensors[t].dtype)}});
        const size_t index = static_cast<size_t>(&n - g.nodes.data());
        nodes.push_back({{"name", n.name},
                         {"op", n.op},
                         {"kernel", "cpu/" + n.op},
                         {"outputs", outs},
                         {"workspace_offset", plan.workspace_offset[index]},
                         {"workspace_bytes", plan.workspace_bytes[index]}});
      }
      // A group's arena next to the sum of its members' arenas, each planned alone.
      uint64_t members_alone = 0;
      for (const Signature& sig : g.signatures) {
        Result<Graph> member = select_members(g, {sig.name});
        if (member.is_ok())
          members_alone += plan_activations(*member, cpu::cpu_workspace_per_node(*member)).memory.arena_size;
      }
      j["plan"] = {{"arena_bytes", plan.memory.arena_size},
                   {"members_planned_alone_arena_bytes", members_alone},
                   {"lower_bound_bytes", plan.lower_bound},
                   {"arena_to_lower_bound", plan.lower_bound ? double(plan.memory.arena_size) / plan.lower_bound : 1.0},
                   {"separate_bytes", plan.separate_bytes},
                   {"nodes", nodes}};
    }
    if (args->json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("model %s: %zu nodes, %zu tensors\n", g.name.c_str(), g.nodes.size(), g.tensors.size());
    for (const auto& [label, ios] : {std::pair{"input", &g.inputs}, std::pair{"output", &g.outputs}})
      for (const GraphIo& io : *ios)
        std::printf("  %s %s: %s %s\n", label, io.name.c_str(),
                    std::string(dtype_name(g.tensors[io.tensor].dtype)).c_str(),
                    shape_to_string(g.tensors[io.tensor].shape).c_str());
    std::printf("ops:\n");
    for (const auto& [op, count] : op_counts) std::printf("  %-24s %d\n", op.c_str(), count);
    std::printf("weight bytes: %llu total, %llu unique\n", static_cast<unsigned long long>(weight_bytes),
                static_cast<unsigned long long>(unique_bytes));
    if (!g.history.empty()) {
      std::printf("history:\n");
      for (const std::string& line : g.history) std::printf("  %s\n", line.c_str());
    }
    if (!g.signatures.empty()) {
      std::printf("members:");
      for (const Signature& sig : g.signatures) std::printf(" %s", sig.name.c_str());
      std::printf("\n");
    }
    if (!args->plan) return;
    const auto& p = j["plan"];
    std::printf("arena: %llu bytes, lower bound %llu (ratio %.3f), separate allocations %llu\n",
                static_cast<unsigned long long>(plan.memory.arena_size),
                static_cast<unsigned long long>(plan.lower_bound), p["arena_to_lower_bound"].get<double>(),
                static_cast<unsigned long long>(plan.separate_bytes));
    if (!g.signatures.empty())
      std::printf("members planned alone: %llu arena bytes in all (the group's one arena: %llu)\n",
                  p["members_planned_alone_arena_bytes"].get<unsigned long long>(),
                  static_cast<unsigned long long>(plan.memory.arena_size));
    for (const auto& n : p["nodes"])
      for (const auto& o : n["outputs"])
        std::printf("  %-12s %-40s offset %10llu size %10llu\n", n["kernel"].get<std::string>().c_str(),
                    n["name"].get<std::string>().c_str(), o["offset"].get<unsigned long long>(),
                    o["bytes"].get<unsigned long long>());
  });
}

}  // namespace fusedinf::tools
