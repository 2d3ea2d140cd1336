// Conv + BatchNormalization (inference) folded into the Conv's weights and bias:
//   s  = scale / sqrt(var + epsilon)            (per output channel c)
//   W' = W * s[c]                               (every weight of output channel c)
//   b' = (b - mean) * s + B                     (b = 0 when the Conv has no bias)
// Applies when the Conv's weights (and bias) and the BN's parameters are fp32 constants and
// the BN is the Conv output's only reader.
#include <cmath>
#include <vector>

#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

namespace {
bool is_f32_constant(const Graph& g, int t) {
  return t >= 0 && g.tensors[t].is_constant() && g.tensors[t].dtype == DType::kFloat32;
}
}  // namespace

Result<PassReport> fold_batchnorm_pass(Graph& graph, const PassContext&) {
  PassReport report;
  std::vector<int> uses = use_counts(graph);
  std::vector<int> producer = producers(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& bn = graph.nodes[n];
    if (bn.op != "BatchNormalization" || bn.inputs.size() != 5 || bn.outputs.size() != 1) continue;
    const int x = bn.inputs[0];
    if (producer[x] < 0 || uses[x] != 1) continue;
    Node& conv = graph.nodes[producer[x]];
    if (conv.op != "Conv" || !is_f32_constant(graph, conv.inputs[1])) continue;
    const bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] >= 0;
    if (has_bias && !is_f32_constant(graph, conv.inputs[2])) continue;
    bool params_constant = true;
    for (int i = 1; i < 5; ++i) params_constant = params_constant && is_f32_constant(graph, bn.inputs[i]);
    if (!params_constant) continue;

    const Tensor& w = graph.tensors[conv.inputs[1]];
    const int64_t channels = w.shape[0];
    const int64_t per_channel = num_elements(w.shape) / std::max<int64_t>(channels, 1);
    auto values = [&](int t) { return graph.constant_view(t).as<float>(); };
    const float *scale = values(bn.inputs[1]), *shift = values(bn.inputs[2]), *mean = values(bn.inputs[3]),
                *var = values(bn.inputs[4]);
    if (num_elements(graph.tensors[bn.inputs[1]].shape) != channels) continue;
    const float epsilon = bn.attrs.get_float("epsilon", 1e-5f);
    std::vector<float> new_w(values(conv.inputs[1]), values(conv.inputs[1]) + num_elements(w.shape));
    std::vector<float> new_b(channels);
    for (int64_t c = 0; c < channels; ++c) {
      const float s = scale[c] / std::sqrt(var[c] + epsilon);
      for (int64_t k = 0; k < per_channel; ++k) new_w[c * per_channel + k] *= s;
      const float b = has_bias ? values(conv.inputs[2])[c] : 0.f;
      new_b[c] = (b - mean[c]) * s + shift[c];
    }
    const Shape w_shape = w.shape;
    const std::string w_name = w.name + "/bn_folded", b_name = conv.name + "/bn_folded_bias";
    const int w_id = graph.add_constant(w_name, DType::kFloat32, w_shape,
                                        Buffer::copy_of(new_w.data(), new_w.size() * sizeof(float)));
    const int b_id = graph.add_constant(b_name, DType::kFloat32, {channels},
                                        Buffer::copy_of(new_b.data(), new_b.size() * sizeof(float)));
    conv.inputs.resize(3);
    conv.inputs[1] = w_id;
    conv.inputs[2] = b_id;
    // The Conv now writes what the BN wrote.
    const int bn_out = bn.outputs[0];
    graph.tensors[x].name = graph.tensors[bn_out].name;
    replace_uses(graph, bn_out, x);
    removed[n] = true;
    uses.resize(graph.tensors.size(), 0);
    ++report.changes;
  }
  std::vector<Node> kept;
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (!removed[n]) kept.push_back(std::move(graph.nodes[n]));
  graph.nodes = std::move(kept);
  remove_dead_code(graph);
  report.detail = std::to_string(report.changes) + " BatchNormalization folded into Conv";
  return report;
}

}  // namespace fusedinf
