// Light look at an ONNX file without importing it: the names of its graph inputs
// (initializers excluded) and outputs, in file order. Test data (input_0.pb, ...) is bound
// to these by position.
#pragma once

#include <string>
#include <vector>

#include "engine/status.h"

namespace fusedinf::importer {

struct OnnxModelInfo {
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
};

Result<OnnxModelInfo> read_onnx_model_info(const std::string& path);

}  // namespace fusedinf::importer
