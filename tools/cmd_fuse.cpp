// fusedinf fuse [NAME=]a.onnx|a.fim [NAME=]b.onnx|b.fim ... -o group.fim
//               [--share-input] [--bind GROUP_INPUT=member/input,member/input]...
//               [--batch N] [--shape [MEMBER/]NAME=D0,D1,...]... [--constant-input [MEMBER/]NAME=V,...]...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "importer/model_info.h"
#include "tools/commands.h"
#include "tools/model_files.h"

namespace fusedinf::tools {

namespace {

struct Member {
  std::string name, path;
  std::vector<std::string> onnx_inputs;  // empty for a .fim
  ModelLoadOptions load;
};

// Hands each entry of `given` (--shape or --constant-input, keyed by "NAME" or "MEMBER/NAME")
// to the ONNX members it names: "MEMBER/NAME" to that member when it has an input NAME,
// else "NAME" to every member with an input NAME. An entry no member takes is an error.
template <class V>
Status distribute(const std::string& flag, const std::map<std::string, V>& given, std::vector<Member>& members,
                  std::map<std::string, V> ModelLoadOptions::*field) {
  for (const auto& [key, value] : given) {
    bool taken = false;
    for (Member& m : members) {
      auto has = [&](const std::string& name) {
        return std::find(m.onnx_inputs.begin(), m.onnx_inputs.end(), name) != m.onnx_inputs.end();
      };
      const std::string prefix = m.name + "/";
      if (key.rfind(prefix, 0) == 0 && has(key.substr(prefix.size()))) {
        (m.load.*field)[key.substr(prefix.size())] = value;
        taken = true;
      }
    }
    if (taken) continue;
    for (Member& m : members)
      if (std::find(m.onnx_inputs.begin(), m.onnx_inputs.end(), key) != m.onnx_inputs.end()) {
        (m.load.*field)[key] = value;
        taken = true;
      }
    if (!taken)
      return Status::error(
          flag + " names '" + key +
          "', which is no input of an ONNX model being fused (NAME or MEMBER/NAME; a .fim's shapes are fixed)");
  }
  return Status::ok();
}

}  // namespace

void add_fuse_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> models, binds;
    std::string output;
    bool share_input = false;
    InputArgs input_args;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("fuse", "Fuse several models into one group .fim");
  cmd->add_option("models", args->models, "[NAME=]model.onnx|model.fim (name defaults to the file name)")
      ->required()
      ->expected(1, -1);
  cmd->add_option("-o,--output", args->output, "Group .fim file to write")->required();
  cmd->add_flag("--share-input", args->share_input, "Bind inputs of the same name in several models to one tensor");
  cmd->add_option("--bind", args->binds, "GROUP_INPUT=member/input,member/input: bind these inputs to one tensor");
  add_input_options(*cmd, args->input_args);  // for the ONNX members; NAME may be MEMBER/NAME
  cmd->callback([args, &exit_code] {
    auto fail = [&](const Status& s) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      exit_code = 1;
    };
    ModelLoadOptions given;
    const Status parsed = parse_input_args(args->input_args, given);
    if (!parsed.is_ok()) return fail(parsed);
    std::vector<Member> loads;
    for (const std::string& arg : args->models) {
      auto [name, path] = split_named_path(arg);
      Member m{name.empty() ? std::filesystem::path(path).stem().string() : name, path, {}, {}};
      m.load.name = m.name;
      m.load.batch = given.batch;
      if (std::filesystem::path(path).extension() == ".onnx") {
        Result<importer::OnnxModelInfo> info = importer::read_onnx_model_info(path);
        if (!info.is_ok()) return fail(info.status());
        m.onnx_inputs = info->inputs;
      }
      loads.push_back(std::move(m));
    }
    Status split = distribute("--shape", given.input_shapes, loads, &ModelLoadOptions::input_shapes);
    if (split.is_ok())
      split = distribute("--constant-input", given.constant_inputs, loads, &ModelLoadOptions::constant_inputs);
    if (!split.is_ok()) return fail(split);
    std::vector<FuseMember> members;
    for (const Member& m : loads) {
      Result<Graph> graph = load_model_file(m.path, m.load);
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
