// ONNX -> Graph. Needs protobuf; nothing at run time includes this.
#pragma once

#include <map>
#include <string>

#include "engine/evaluator.h"
#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"

namespace fusedinf::importer {

struct ImportOptions {
  // Value given to symbolic (dim_param) or unknown input dimensions.
  int64_t batch_size = 1;
  // Evaluates nodes whose inputs are all constant (shape chains); the CPU reference kernels.
  NodeEvaluator evaluator;
  // Nodes whose outputs would exceed this many bytes are not folded (they run at run time).
  uint64_t max_folded_bytes = kDefaultMaxFoldedBytes;
  // Inputs that may be frozen to these values when a node needs them as constants (a
  // Reshape's shape fed from a graph input). Only inputs actually needed are frozen and
  // they stop being graph inputs.
  std::map<std::string, HostTensor> static_inputs;
  // Graph name; defaults to the file name without extension.
  std::string model_name;
};

Result<Graph> import_onnx_file(const std::string& path, const ImportOptions& options);
Result<Graph> import_onnx_bytes(const void* data, size_t size, const std::string& base_dir,
                                const ImportOptions& options);

// Reads one serialised onnx.TensorProto file (ONNX test data, input_0.pb).
Result<HostTensor> read_tensor_pb_file(const std::string& path);
// The same from memory; external data resolves against `base_dir` ("" refuses it); errors
// are prefixed with `what`.
Result<HostTensor> parse_tensor_pb(const void* data, size_t size, const std::string& base_dir, const std::string& what);

}  // namespace fusedinf::importer
