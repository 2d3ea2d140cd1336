#include "importer/model_info.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <set>
#include <sstream>

namespace fusedinf::importer {

Result<OnnxModelInfo> read_onnx_model_info(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::error("cannot open '" + path + "'");
  std::stringstream bytes;
  bytes << file.rdbuf();
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes.str())) return Status::error("'" + path + "' is not a valid ONNX model");
  std::set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  OnnxModelInfo info;
  for (const auto& in : model.graph().input())
    if (!initializers.count(in.name())) info.inputs.push_back(in.name());
  for (const auto& out : model.graph().output()) info.outputs.push_back(out.name());
  return info;
}

}  // namespace fusedinf::importer
