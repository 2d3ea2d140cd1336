// Constant folding: a node whose inputs are all constants is evaluated once, through the
// reference kernels (PassContext::evaluator), and its outputs become constants.
#include "engine/graph_rewrite.h"
#include "engine/host_tensor.h"
#include "engine/op_def.h"
#include "engine/passes/pass.h"

namespace fusedinf {

Result<PassReport> fold_constants_pass(Graph& graph, const PassContext& context) {
  PassReport report;
  if (!context.evaluator) {
    report.detail = "skipped: no evaluator";
    return report;
  }
  std::vector<bool> drop(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    bool all_constant = true;
    for (int t : node.inputs) all_constant = all_constant && (t < 0 || graph.tensors[t].is_constant());
    if (!all_constant || node_output_bytes(graph, node) > context.max_folded_bytes) continue;
    std::vector<ConstTensorView> inputs;
    for (int t : node.inputs) inputs.push_back(t < 0 ? ConstTensorView{} : graph.constant_view(t));
    std::vector<HostTensor> results;
    std::vector<TensorView> outputs;
    for (int t : node.outputs) results.push_back(HostTensor::zeros(graph.tensors[t].dtype, graph.tensors[t].shape));
    for (HostTensor& r : results) outputs.push_back(r.mutable_view());
    FI_RETURN_IF_ERROR(context.evaluator(node, inputs, outputs));
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const int t = node.outputs[o];
      graph.buffers.push_back(Buffer::copy_of(results[o].bytes.data(), results[o].bytes.size()));
      graph.tensors[t].buffer = static_cast<int>(graph.buffers.size()) - 1;
    }
    drop[n] = true;
    ++report.changes;
  }
  erase_nodes(graph, drop);
  remove_dead_code(graph);
  report.detail = std::to_string(report.changes) + " nodes folded into constants";
  return report;
}

}  // namespace fusedinf
