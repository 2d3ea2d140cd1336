// ONNX -> Graph. Needs protobuf; nothing at run time includes this.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/evaluator.h"
#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"

namespace fusedinf::importer {

struct ImportOptions {
  // Value of an input's FIRST dimension when the file leaves it unknown (symbolic, -1, 0 or
  // absent). Any other unknown dimension must come from input_shapes (or static_inputs),
  // else the import fails naming the input and the dim (importer/graph_inputs.h).
  int64_t batch_size = 1;
  // Whole shapes of graph inputs (`--shape NAME=D0,D1,...`); dims the file fixes must agree.
  std::map<std::string, Shape> input_shapes;
  // Graph inputs bound to constants (`--constant-input NAME=V0,V1,...`): the values as
  // written, parsed in the input's declared element type, row-major, as many as its shape
  // holds. The input becomes a constant (nodes reading it fold; an If it decides is inlined)
  // and leaves the graph's inputs.
  std::map<std::string, std::vector<std::string>> constant_inputs;
  // Evaluates nodes whose inputs are all constant (shape chains); the CPU reference kernels.
  NodeEvaluator evaluator;
  // Nodes whose outputs would exceed this many bytes are not folded (they run at run time).
  uint64_t max_folded_bytes = kDefaultMaxFoldedBytes;
  // Inputs that may be frozen to these values when a node needs them as constants (a
  // Reshape's shape fed from a graph input, an If's condition). Only inputs actually needed
  // are frozen and they stop being graph inputs. Their shapes fix the inputs' shapes.
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
