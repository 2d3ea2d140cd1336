#include <algorithm>

#include "engine/epilogue.h"
#include "engine/op_def.h"

namespace fusedinf {

std::vector<const OpDef*> all_op_defs() {
  // The one visible table of op families.
  // clang-format off
  const std::span<const OpDef> families[] = {
      conv_op_defs(),          pool_op_defs(),    normalization_op_defs(), elementwise_op_defs(),
      matmul_op_defs(),        softmax_op_defs(), reduce_op_defs(),        shape_op_defs(),
      data_movement_op_defs(), resize_op_defs(),  fused_op_defs(),
      recurrent_op_defs(),
      scatter_gather_op_defs(), selection_op_defs(),  // ops helper block (issue 11)
  };
  // clang-format on
  std::vector<const OpDef*> defs;
  for (auto family : families)
    for (const OpDef& def : family) defs.push_back(&def);
  return defs;
}

const OpDef* find_op_def(std::string_view op) {
  static const std::vector<const OpDef*> defs = all_op_defs();
  auto it = std::find_if(defs.begin(), defs.end(), [&](const OpDef* d) { return d->op == op; });
  return it == defs.end() ? nullptr : *it;
}

Result<std::vector<ValueInfo>> infer_node(const Graph& graph, const Node& node) {
  const std::string where = "node '" + node.name + "' (" + node.op + ")";
  const OpDef* def = find_op_def(node.op);
  if (!def) return Status::error(where + ": unknown op '" + node.op + "'");
  const int num_in = static_cast<int>(node.inputs.size());
  const int num_out = static_cast<int>(node.outputs.size());
  if (num_in < def->min_inputs || num_in > def->max_inputs)
    return Status::error(where + ": has " + std::to_string(num_in) + " inputs, expects " +
                         std::to_string(def->min_inputs) + " to " + std::to_string(def->max_inputs));
  if (num_out < def->min_outputs || num_out > def->max_outputs)
    return Status::error(where + ": has " + std::to_string(num_out) + " outputs, expects " +
                         std::to_string(def->min_outputs) + " to " + std::to_string(def->max_outputs));
  std::vector<ValueInfo> inputs(num_in);
  for (int i = 0; i < num_in; ++i) {
    const int t = node.inputs[i];
    if (t < 0) {
      // Only optional inputs (past min_inputs) may be absent: kernels read required ones
      // unchecked. Fused ops check their own slots (a Conv's bias inside FusedConv's four).
      if (i < def->min_inputs && fused_base_op(node.op).empty())
        return Status::error(where + ": required input " + std::to_string(i) + " is absent");
      inputs[i].present = false;
      continue;
    }
    if (t >= static_cast<int>(graph.tensors.size())) return Status::error(where + ": input index out of range");
    const Tensor& tensor = graph.tensors[t];
    inputs[i].dtype = tensor.dtype;
    inputs[i].shape = tensor.shape;
    if (tensor.is_constant()) inputs[i].value = graph.buffers[tensor.buffer].data;
  }
  std::vector<ValueInfo> outputs(num_out);
  Status s = def->infer(node, inputs, outputs);
  if (!s.is_ok()) return s.with_context(where);
  for (const ValueInfo& out : outputs) {
    for (int64_t d : out.shape)
      if (d < 0) return Status::error(where + ": inferred a negative dimension " + shape_to_string(out.shape));
    if (!shape_within_limits(out.shape))
      return Status::error(where + ": inferred output " + shape_over_limits_message(out.shape));
  }
  return outputs;
}

}  // namespace fusedinf
