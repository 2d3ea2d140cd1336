// Loading a model for the CLI from either an ONNX file (imported on the fly, with the CPU
// reference kernels folding constants) or a .fim file.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf::tools {

struct ModelLoadOptions {
  int64_t batch = 1;
  std::string name;  // default: file name without extension
  std::string passes = "default";
  std::map<std::string, Shape> input_shapes;                        // --shape (ONNX only)
  std::map<std::string, std::vector<std::string>> constant_inputs;  // --constant-input (ONNX only)
};

// Adds `--batch`, `--shape` and `--constant-input` to an import-like command; their strings
// land in `batch`, `shapes` and `constants`, parsed by parse_input_args.
struct InputArgs {
  int64_t batch = 1;
  std::vector<std::string> shapes, constants;
};
void add_input_options(CLI::App& cmd, InputArgs& args);

// "NAME=D0,D1,..." (empty after '=' for a scalar) and "NAME=V0,V1,..." into `options`;
// the name is what precedes the LAST '=' (tensor names may hold '='). Bad syntax, a negative
// dim or a name given twice is an error naming the argument.
Status parse_input_args(const InputArgs& args, ModelLoadOptions& options);

Result<Graph> load_model_file(const std::string& path, const ModelLoadOptions& options);

// "name=path" or "path" -> (name or "", path).
std::pair<std::string, std::string> split_named_path(const std::string& arg);

}  // namespace fusedinf::tools
