#include "tools/model_files.h"

#include <filesystem>

#include "engine/fim_graph.h"
#include "engine/passes/pass.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "tools/tensor_args.h"

namespace fusedinf::tools {

std::pair<std::string, std::string> split_named_path(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos) return {"", arg};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

void add_input_options(CLI::App& cmd, InputArgs& args) {
  cmd.add_option("--batch", args.batch, "First dim of inputs where the model leaves it unknown (default 1)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--shape", args.shapes,
                 "NAME=D0,D1,...: the whole shape of input NAME (repeatable); needed for every unknown dim "
                 "(symbolic, -1, 0) other than the first")
      ->allow_extra_args(false);  // one value per --shape: `--shape x=1,3 model.onnx` keeps the model
  cmd.add_option("--constant-input", args.constants,
                 "NAME=V0,V1,...: bind input NAME to these values (its declared dtype, row-major; repeatable); "
                 "it folds away and leaves the inputs")
      ->allow_extra_args(false);
}

Status parse_input_args(const InputArgs& args, ModelLoadOptions& options) {
  options.batch = args.batch;
  for (const std::string& arg : args.shapes) {
    FI_ASSIGN_OR_RETURN(auto parsed, parse_shape_arg(arg));
    if (!options.input_shapes.emplace(parsed.first, parsed.second).second)
      return Status::error("--shape gives input '" + parsed.first + "' twice");
  }
  for (const std::string& arg : args.constants) {
    FI_ASSIGN_OR_RETURN(auto parsed, parse_constant_arg(arg));
    if (!options.constant_inputs.emplace(parsed.first, parsed.second).second)
      return Status::error("--constant-input gives input '" + parsed.first + "' twice");
  }
  return Status::ok();
}

Result<Graph> load_model_file(const std::string& path, const ModelLoadOptions& options) {
  const std::filesystem::path p(path);
  const std::string name = options.name.empty() ? p.stem().string() : options.name;
  if (p.extension() == ".fim") {
    if (!options.input_shapes.empty() || !options.constant_inputs.empty())
      return Status::error("'" + path +
                           "': --shape and --constant-input apply to ONNX files (a .fim's shapes are fixed)");
    FI_ASSIGN_OR_RETURN(Graph graph, load_fim(path));
    graph.name = name;
    return graph;
  }
  if (p.extension() != ".onnx") return Status::error("'" + path + "': expected a .onnx or .fim file");
  FI_RETURN_IF_ERROR(check_pass_names(options.passes));
  importer::ImportOptions import_options;
  import_options.batch_size = options.batch;
  import_options.model_name = name;
  import_options.input_shapes = options.input_shapes;
  import_options.constant_inputs = options.constant_inputs;
  import_options.evaluator = cpu::run_cpu_node;
  Result<Graph> graph = importer::import_onnx_file(path, import_options);
  if (!graph.is_ok()) return graph.status().with_context(path);
  PassContext context{cpu::run_cpu_node};
  Result<std::vector<PassReport>> reports = run_passes(*graph, options.passes, context);
  if (!reports.is_ok()) return reports.status().with_context(path);
  return graph;
}

}  // namespace fusedinf::tools
