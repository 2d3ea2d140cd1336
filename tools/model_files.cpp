#include "tools/model_files.h"

#include <filesystem>

#include "engine/fim_graph.h"
#include "engine/passes/pass.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::tools {

std::pair<std::string, std::string> split_named_path(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos) return {"", arg};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

Result<Graph> load_model_file(const std::string& path, const ModelLoadOptions& options) {
  const std::filesystem::path p(path);
  const std::string name = options.name.empty() ? p.stem().string() : options.name;
  if (p.extension() == ".fim") {
    FI_ASSIGN_OR_RETURN(Graph graph, load_fim(path));
    graph.name = name;
    return graph;
  }
  if (p.extension() != ".onnx") return Status::error("'" + path + "': expected a .onnx or .fim file");
  FI_RETURN_IF_ERROR(check_pass_names(options.passes));
  importer::ImportOptions import_options;
  import_options.batch_size = options.batch;
  import_options.model_name = name;
  import_options.evaluator = cpu::run_cpu_node;
  Result<Graph> graph = importer::import_onnx_file(path, import_options);
  if (!graph.is_ok()) return graph.status().with_context(path);
  PassContext context{cpu::run_cpu_node};
  Result<std::vector<PassReport>> reports = run_passes(*graph, options.passes, context);
  if (!reports.is_ok()) return reports.status().with_context(path);
  return graph;
}

}  // namespace fusedinf::tools
