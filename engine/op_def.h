// Op definitions: for every IR op, its input/output counts and a shape-inference function
// that also validates attributes and dtypes. The importer runs it on every node it emits,
// the .fim reader re-runs it on load, so kernels may assume valid nodes.
//
// Families live in engine/ops/<family>.cpp and are listed in the table in engine/op_registry.cpp.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf {

// What shape inference knows about one input or output.
struct ValueInfo {
  DType dtype = DType::kFloat32;
  Shape shape;
  bool present = true;          // false: an absent optional input
  const void* value = nullptr;  // the bytes when the tensor is a constant, else nullptr

  ConstTensorView view() const { return {value, dtype, shape}; }
};

// Fills `outputs` (already sized to node.outputs.size()) with dtypes and shapes. Errors say
// what is wrong ("axis 5 is out of range for rank 4"); the caller adds the node's name.
using InferFn = Status (*)(const Node& node, std::span<const ValueInfo> inputs, std::span<ValueInfo> outputs);

struct OpDef {
  std::string_view op;
  int min_inputs;
  int max_inputs;
  int min_outputs;
  int max_outputs;
  InferFn infer;
};

// Family tables, one per engine/ops/<family>.cpp.
std::span<const OpDef> conv_op_defs();
std::span<const OpDef> pool_op_defs();
std::span<const OpDef> normalization_op_defs();
std::span<const OpDef> elementwise_op_defs();
std::span<const OpDef> matmul_op_defs();
std::span<const OpDef> softmax_op_defs();
std::span<const OpDef> reduce_op_defs();
std::span<const OpDef> shape_op_defs();
std::span<const OpDef> data_movement_op_defs();
std::span<const OpDef> resize_op_defs();
std::span<const OpDef> fused_op_defs();
std::span<const OpDef> recurrent_op_defs();
// ops helper block (issue 11)
std::span<const OpDef> scatter_gather_op_defs();  // GatherND, ScatterND, ScatterElements
std::span<const OpDef> selection_op_defs();       // TopK

// nullptr when `op` is not an IR op.
const OpDef* find_op_def(std::string_view op);
std::vector<const OpDef*> all_op_defs();

// Runs the op's shape inference for `node` against the tensors of `graph` (constants give
// their values). Errors are prefixed with the node's name and op.
Result<std::vector<ValueInfo>> infer_node(const Graph& graph, const Node& node);

}  // namespace fusedinf
