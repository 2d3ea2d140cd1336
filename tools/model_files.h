// Loading a model for the CLI from either an ONNX file (imported on the fly, with the CPU
// reference kernels folding constants) or a .fim file.
#pragma once

#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf::tools {

struct ModelLoadOptions {
  int64_t batch = 1;
  std::string name;  // default: file name without extension
  std::string passes = "default";
};

Result<Graph> load_model_file(const std::string& path, const ModelLoadOptions& options);

// "name=path" or "path" -> (name or "", path).
std::pair<std::string, std::string> split_named_path(const std::string& arg);

}  // namespace fusedinf::tools
