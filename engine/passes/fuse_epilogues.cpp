// Epilogue fusion: Conv/Gemm/MatMul followed by an addend and/or an activation becomes one
// FusedConv/FusedGemm/FusedMatMul node (engine/epilogue.h):
//   MatMul -> Add(bias)                 => FusedMatMul(addend = bias)
//   Conv   -> Add(residual) [-> Relu]   => FusedConv(addend = residual)   (ResNet blocks)
//   base   -> Relu | Clip | Sigmoid | HardSwish | LeakyRelu
//          | x * Sigmoid(x)                                    (SiLU)
//          | 0.5 * x * (1 + Erf(x / sqrt(2)))                  (GELU, torch's erf form)
// Each step needs the intermediate to have exactly one reader (two for SiLU's x, both in the
// pattern); the fused node takes the place of the pattern's last node, so every input is
// computed before it.
#include <cmath>
#include <optional>

#include "engine/epilogue.h"
#include "engine/graph_rewrite.h"
#include "engine/op_def.h"
#include "engine/passes/pass.h"

namespace fusedinf {

namespace {

struct Matcher {
  Graph& g;
  std::vector<int> uses;
  std::vector<int> producer;
  // consumers[t]: nodes reading t
  std::vector<std::vector<int>> consumers;

  explicit Matcher(Graph& graph) : g(graph) { refresh(); }
  void refresh() {
    uses = use_counts(g);
    producer = producers(g);
    consumers.assign(g.tensors.size(), {});
    for (size_t n = 0; n < g.nodes.size(); ++n)
      for (int t : g.nodes[n].inputs)
        if (t >= 0) consumers[t].push_back(static_cast<int>(n));
  }
  // The single node reading t (and t is no graph output), or -1.
  int only_reader(int t) const { return uses[t] == 1 && consumers[t].size() == 1 ? consumers[t][0] : -1; }
  std::optional<float> scalar(int t) const {
    if (t < 0 || !g.tensors[t].is_constant() || g.tensors[t].dtype != DType::kFloat32 ||
        num_elements(g.tensors[t].shape) != 1)
      return std::nullopt;
    return g.constant_view(t).as<float>()[0];
  }
  int other_input(const Node& node, int t) const {
    if (node.inputs.size() != 2) return -2;
    return node.inputs[0] == t ? node.inputs[1] : node.inputs[1] == t ? node.inputs[0] : -2;
  }
};

bool near(std::optional<float> v, float want) { return v && std::fabs(*v - want) <= 1e-6f * std::fabs(want) + 1e-7f; }

// Tries to match an activation reading tensor y. Returns (activation, last node of the
// pattern, its output) or nullopt.
struct ActivationMatch {
  EpilogueParams params;
  int last_node;
  std::vector<int> nodes;
};

std::optional<ActivationMatch> match_activation(const Matcher& m, int y) {
  const Graph& g = m.g;
  // Single-reader activations.
  if (const int r = m.only_reader(y); r >= 0) {
    const Node& n = g.nodes[r];
    EpilogueParams p;
    if (n.op == "Relu")
      p.kind = Activation::kRelu;
    else if (n.op == "Sigmoid")
      p.kind = Activation::kSigmoid;
    else if (n.op == "HardSwish")
      p.kind = Activation::kHardSwish;
    else if (n.op == "LeakyRelu")
      p.kind = Activation::kLeakyRelu, p.alpha = n.attrs.get_float("alpha", 0.01f);
    else if (n.op == "Clip" && n.inputs.size() == 1)
      p.kind = Activation::kClip, p.min = n.attrs.get_float("min", -INFINITY),
      p.max = n.attrs.get_float("max", INFINITY);
    // GELU: Div(y, sqrt2) -> Erf -> Add(1) -> Mul(y, .) -> Mul(., 0.5) needs two readers of y.
    if (p.kind != Activation::kNone) return ActivationMatch{p, r, {r}};
    return std::nullopt;
  }
  if (m.uses[y] != 2 || m.consumers[y].size() != 2) return std::nullopt;
  const int a = m.consumers[y][0], b = m.consumers[y][1];
  for (auto [first, second] : {std::pair{a, b}, std::pair{b, a}}) {
    const Node &n1 = g.nodes[first], &n2 = g.nodes[second];
    // SiLU: s = Sigmoid(y); Mul(y, s)
    if (n1.op == "Sigmoid" && n2.op == "Mul" && m.only_reader(n1.outputs[0]) == second &&
        m.other_input(n2, y) == n1.outputs[0]) {
      EpilogueParams p;
      p.kind = Activation::kSilu;
      return ActivationMatch{p, second, {first, second}};
    }
    // GELU (erf): d = Div(y, 1.41421); e = Erf(d); f = Add(e, 1); h = Mul(y, f); Mul(h, 0.5)
    if (n1.op == "Div" && n1.inputs[0] == y && near(m.scalar(n1.inputs[1]), std::sqrt(2.f))) {
      const int e = m.only_reader(n1.outputs[0]);
      if (e < 0 || g.nodes[e].op != "Erf") continue;
      const int f = m.only_reader(g.nodes[e].outputs[0]);
      if (f < 0 || g.nodes[f].op != "Add" || !near(m.scalar(m.other_input(g.nodes[f], g.nodes[e].outputs[0])), 1.f))
        continue;
      const int h = m.only_reader(g.nodes[f].outputs[0]);
      if (h != second || n2.op != "Mul" || m.other_input(n2, g.nodes[f].outputs[0]) != y) continue;
      const int half = m.only_reader(n2.outputs[0]);
      if (half < 0 || g.nodes[half].op != "Mul" || !near(m.scalar(m.other_input(g.nodes[half], n2.outputs[0])), 0.5f))
        continue;
      EpilogueParams p;
      p.kind = Activation::kGeluErf;
      return ActivationMatch{p, half, {first, e, f, second, half}};
    }
  }
  return std::nullopt;
}

// Does `addend` (shape) broadcast unidirectionally to `y`?
bool broadcasts_to(const Shape& addend, const Shape& y) {
  if (addend.size() > y.size()) return false;
  const size_t offset = y.size() - addend.size();
  for (size_t i = 0; i < addend.size(); ++i)
    if (addend[i] != 1 && addend[i] != y[offset + i]) return false;
  return true;
}

}  // namespace

Result<PassReport> fuse_epilogues_pass(Graph& graph, const PassContext&) {
  PassReport report;
  int fused_add = 0, fused_act = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const std::string op = graph.nodes[n].op;
    if (op != "Conv" && op != "Gemm" && op != "MatMul") continue;
    if (graph.tensors[graph.nodes[n].outputs[0]].dtype != DType::kFloat32) continue;
    Matcher m(graph);
    const OpDef* base = find_op_def(op);
    Node fused = graph.nodes[n];
    fused.op = "Fused" + op;
    fused.inputs.resize(base->max_inputs, -1);
    int addend = -1;
    std::vector<int> pattern = {static_cast<int>(n)};
    int y = graph.nodes[n].outputs[0];
    // Addend: Add(y, other) with other broadcasting to y (a bias, a residual).
    if (const int r = m.only_reader(y); r >= 0 && graph.nodes[r].op == "Add") {
      const int other = m.other_input(graph.nodes[r], y);
      if (other >= 0 && other != y && graph.tensors[other].dtype == DType::kFloat32 &&
          broadcasts_to(graph.tensors[other].shape, graph.tensors[y].shape) &&
          graph.tensors[graph.nodes[r].outputs[0]].shape == graph.tensors[y].shape) {
        addend = other;
        pattern.push_back(r);
        y = graph.nodes[r].outputs[0];
      }
    }
    EpilogueParams params;
    if (auto act = match_activation(m, y)) {
      params = act->params;
      for (int p : act->nodes) pattern.push_back(p);
      y = graph.nodes[act->last_node].outputs[0];
    }
    if (pattern.size() == 1) continue;
    fused.inputs.push_back(addend);
    fused.outputs = {y};
    epilogue_to_attrs(params, fused.attrs);
    // The fused node replaces the pattern's last node; the others go.
    int last = *std::max_element(pattern.begin(), pattern.end());
    graph.nodes[last] = std::move(fused);
    std::vector<bool> drop(graph.nodes.size(), false);
    for (int p : pattern)
      if (p != last) drop[p] = true;
    erase_nodes(graph, drop);
    fused_add += addend >= 0;
    fused_act += params.kind != Activation::kNone;
    report.changes += static_cast<int>(pattern.size()) - 1;
    n = static_cast<size_t>(-1);  // restart: indices moved
  }
  remove_dead_code(graph);
  report.detail =
      std::to_string(fused_add) + " adds and " + std::to_string(fused_act) + " activations fused into Conv/Gemm/MatMul";
  return report;
}

}  // namespace fusedinf
