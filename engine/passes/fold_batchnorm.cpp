// A per-output-channel affine map after a Conv, ConvTranspose, Gemm or MatMul with constant
// weights is folded into those weights and the bias:
//   y' = y * s[c] + t[c]   with  BatchNormalization: s = scale / sqrt(var + eps), t = B - mean * s
//                                Mul by a per-channel constant m:  s = m, t = 0
//                                Add of a per-channel constant a:  s = 1, t = a
//   W'[.. c ..] = W[.. c ..] * s[c]      b'[c] = b[c] * s[c] + t[c]   (b = 0 when absent)
// The channel is dim 1 of a Conv/ConvTranspose output and the last dim of a 2-D Gemm/MatMul
// output. Applies only when the producer's output has that one reader. MatMul has no bias
// input, so only a Mul folds into it (an Add stays for fuse-epilogues).
#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

namespace {

bool is_f32_constant(const Graph& g, int t) {
  return t >= 0 && g.tensors[t].is_constant() && g.tensors[t].dtype == DType::kFloat32;
}

struct Affine {
  std::vector<float> scale, shift;
};

// The per-channel values of a constant that broadcasts along `channel_dim` of `y` only.
std::optional<std::vector<float>> per_channel(const Graph& g, int t, const Shape& y, size_t channel_dim) {
  if (!is_f32_constant(g, t)) return std::nullopt;
  const Shape& s = g.tensors[t].shape;
  if (s.size() > y.size()) return std::nullopt;
  const size_t offset = y.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != 1 && !(offset + i == channel_dim && s[i] == y[channel_dim])) return std::nullopt;
  const int64_t n = num_elements(s);
  const float* v = g.constant_view(t).as<float>();
  return n == 1 ? std::vector<float>(static_cast<size_t>(y[channel_dim]), v[0]) : std::vector<float>(v, v + n);
}

std::optional<Affine> affine_of(const Graph& g, const Node& n, int x, const Shape& y, size_t channel_dim) {
  const int64_t channels = y[channel_dim];
  Affine a{std::vector<float>(channels, 1.f), std::vector<float>(channels, 0.f)};
  if (n.op == "BatchNormalization" && channel_dim == 1 && n.inputs[0] == x) {
    for (int i = 1; i < 5; ++i)
      if (!is_f32_constant(g, n.inputs[i]) || num_elements(g.tensors[n.inputs[i]].shape) != channels)
        return std::nullopt;
    const float eps = n.attrs.get_float("epsilon", 1e-5f);
    auto v = [&](int i) { return g.constant_view(n.inputs[i]).as<float>(); };
    for (int64_t c = 0; c < channels; ++c) {
      a.scale[c] = v(1)[c] / std::sqrt(v(4)[c] + eps);
      a.shift[c] = v(2)[c] - v(3)[c] * a.scale[c];
    }
    return a;
  }
  if ((n.op == "Mul" || n.op == "Add") && n.inputs.size() == 2 && (n.inputs[0] == x) != (n.inputs[1] == x)) {
    const int other = n.inputs[0] == x ? n.inputs[1] : n.inputs[0];
    auto values = per_channel(g, other, y, channel_dim);
    if (!values || g.tensors[n.outputs[0]].shape != y) return std::nullopt;
    (n.op == "Mul" ? a.scale : a.shift) = *values;
    return a;
  }
  return std::nullopt;
}

}  // namespace

Result<PassReport> fold_batchnorm_pass(Graph& graph, const PassContext&) {
  PassReport report;
  int folded_bn = 0, folded_affine = 0;
  std::vector<int> uses = use_counts(graph);
  std::vector<int> producer = producers(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& consumer = graph.nodes[n];
    if (consumer.inputs.empty() || consumer.outputs.size() != 1) continue;
    for (int x : consumer.inputs) {
      if (x < 0 || producer[x] < 0 || removed[producer[x]] || uses[x] != 1) continue;
      Node& p = graph.nodes[producer[x]];
      const bool conv = p.op == "Conv" || p.op == "ConvTranspose";
      const bool dense = p.op == "Gemm" || p.op == "MatMul";
      if ((!conv && !dense) || !is_f32_constant(graph, p.inputs[1])) continue;
      const Shape y = graph.tensors[x].shape;
      if (dense && y.size() != 2) continue;
      const size_t channel_dim = 1;  // [N, C, ...] for convs, [M, N] for Gemm/MatMul
      const std::optional<Affine> affine = affine_of(graph, consumer, x, y, channel_dim);
      if (!affine) continue;
      const bool has_bias = p.inputs.size() > 2 && p.inputs[2] >= 0;
      const bool shifts = std::any_of(affine->shift.begin(), affine->shift.end(), [](float v) { return v != 0.f; });
      if (p.op == "MatMul" && shifts) continue;  // no bias input to carry the shift
      const int64_t channels = y[channel_dim];
      // The bias per output channel: a Conv's is [C]; a Gemm's C broadcasts to [M, N] and must
      // vary along N only (a [M, 1] one is per row).
      std::vector<float> bias(channels, 0.f);
      if (has_bias) {
        std::optional<std::vector<float>> b;
        if (!conv)
          b = per_channel(graph, p.inputs[2], y, channel_dim);
        else if (is_f32_constant(graph, p.inputs[2]) && graph.tensors[p.inputs[2]].shape == Shape{channels})
          b = per_channel(graph, p.inputs[2], Shape{channels}, 0);
        if (!b) continue;
        bias = *b;
      }
      const bool trans_b = p.op == "Gemm" && p.attrs.get_int("transB", 0) != 0;
      if (p.op == "Gemm" && (p.attrs.get_float("alpha", 1.f) != 1.f || p.attrs.get_float("beta", 1.f) != 1.f)) continue;
      // Scale W per output channel c.
      const Tensor& w = graph.tensors[p.inputs[1]];
      const Shape w_shape = w.shape;
      const std::string w_name = w.name;
      std::vector<float> new_w(graph.constant_view(p.inputs[1]).as<float>(),
                               graph.constant_view(p.inputs[1]).as<float>() + num_elements(w_shape));
      const int64_t group = p.attrs.get_int("group", 1);
      for (int64_t i = 0; i < static_cast<int64_t>(new_w.size()); ++i) {
        int64_t c;
        if (p.op == "Conv")
          c = i / (static_cast<int64_t>(new_w.size()) / w_shape[0]);
        else if (p.op == "ConvTranspose") {
          const int64_t inner = static_cast<int64_t>(new_w.size()) / (w_shape[0] * w_shape[1]);
          const int64_t ic = i / (w_shape[1] * inner), j = (i / inner) % w_shape[1];
          c = (ic / (w_shape[0] / group)) * w_shape[1] + j;
        } else
          c = trans_b ? i / w_shape[1] : i % w_shape[1];
        new_w[i] *= affine->scale[c];
      }
      std::vector<float> new_b(channels);
      for (int64_t c = 0; c < channels; ++c) new_b[c] = bias[c] * affine->scale[c] + affine->shift[c];
      const int w_id = graph.add_constant(w_name + "/folded", DType::kFloat32, w_shape,
                                          Buffer::copy_of(new_w.data(), new_w.size() * sizeof(float)));
      p.inputs[1] = w_id;
      if (p.op != "MatMul") {
        const int b_id = graph.add_constant(p.name + "/folded_bias", DType::kFloat32, {channels},
                                            Buffer::copy_of(new_b.data(), new_b.size() * sizeof(float)));
        p.inputs.resize(3);
        p.inputs[2] = b_id;
      }
      // The producer now writes what the consumer wrote.
      const int out = graph.nodes[n].outputs[0];
      graph.tensors[x].name = graph.tensors[out].name;
      replace_uses(graph, out, x);
      // x now has the consumer's readers (and graph outputs): a later fold into x needs them.
      uses.resize(graph.tensors.size(), 0);
      producer.resize(graph.tensors.size(), -1);
      uses[x] = uses[out];
      uses[out] = 0;
      removed[n] = true;
      (graph.nodes[n].op == "BatchNormalization" ? folded_bn : folded_affine)++;
      break;
    }
  }
  erase_nodes(graph, removed);
  remove_dead_code(graph);
  report.changes = folded_bn + folded_affine;
  report.detail = std::to_string(folded_bn) + " BatchNormalization and " + std::to_string(folded_affine) +
                  " per-channel Mul/Add folded into Conv/ConvTranspose/Gemm/MatMul weights";
  return report;
}

}  // namespace fusedinf
