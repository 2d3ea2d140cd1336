// Shape-only simplifications:
// - a Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Cast or Pad that changes nothing (same
//   dtype and shape, identity permutation, all pads 0: torch exports AvgPool2d as a Pad of zeros
//   and an AveragePool) is removed;
// - a chain of reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) becomes one Reshape to
//   the last shape;
// - Transpose(Transpose(x, p), q) becomes Transpose(x, r) with r[i] = p[q[i]].
// An intermediate is only bypassed when the second op is its only reader.
#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

namespace {
bool is_reshape_like(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze";
}
bool is_identity_perm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}
bool is_zero_pad(const Node& node) {
  if (node.op != "Pad") return false;
  for (int64_t p : node.attrs.get_ints("pads"))
    if (p != 0) return false;
  return true;
}
}  // namespace

Result<PassReport> simplify_shapes_pass(Graph& graph, const PassContext&) {
  PassReport report;
  int removed = 0, merged = 0;
  std::vector<bool> drop(graph.nodes.size(), false);
  std::vector<int> uses = use_counts(graph);
  std::vector<int> producer = producers(graph);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    if (node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] < 0) continue;
    const int in = node.inputs[0], out = node.outputs[0];
    const Tensor &ti = graph.tensors[in], &to = graph.tensors[out];
    const bool shape_op = is_reshape_like(node.op) || node.op == "Cast" || is_zero_pad(node) ||
                          (node.op == "Transpose" && is_identity_perm(node.attrs.get_ints("perm")));
    // A no-op: readers of the output read the input instead. Not for graph outputs that are
    // also graph inputs' aliases... the graph output simply names the input tensor then.
    if (shape_op && ti.dtype == to.dtype && ti.shape == to.shape &&
        (node.op != "Transpose" || is_identity_perm(node.attrs.get_ints("perm")))) {
      replace_uses(graph, out, in);
      drop[n] = true;
      ++removed;
      uses = use_counts(graph);
      continue;
    }
    const int p = producer[in];
    if (p < 0 || drop[p] || uses[in] != 1) continue;
    Node& prev = graph.nodes[p];
    if (is_reshape_like(node.op) && is_reshape_like(prev.op)) {
      node.op = "Reshape";
      node.inputs = {prev.inputs[0]};
      node.attrs = Attributes();
      node.attrs.set("shape", to.shape);
      drop[p] = true;
      ++merged;
    } else if (node.op == "Transpose" && prev.op == "Transpose") {
      const std::vector<int64_t> p_perm = prev.attrs.get_ints("perm"), q_perm = node.attrs.get_ints("perm");
      if (p_perm.size() != q_perm.size()) continue;
      std::vector<int64_t> r(q_perm.size());
      for (size_t i = 0; i < r.size(); ++i) r[i] = p_perm[static_cast<size_t>(q_perm[i])];
      node.inputs = {prev.inputs[0]};
      node.attrs.set("perm", r);
      drop[p] = true;
      ++merged;
    }
  }
  erase_nodes(graph, drop);
  remove_dead_code(graph);
  report.changes = removed + merged;
  report.detail = std::to_string(removed) + " no-op shape ops removed, " + std::to_string(merged) + " merged";
  return report;
}

}  // namespace fusedinf
