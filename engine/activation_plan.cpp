#include "engine/activation_plan.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace fusedinf {

bool is_alias_op(std::string_view op) {
  static constexpr std::array<std::string_view, 4> ops = {"Reshape", "Flatten", "Squeeze", "Unsqueeze"};
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

bool is_in_place_op(std::string_view op) {
  // Kernels of these ops compute output element i from input element i alone (the first
  // input has the output's shape), so writing over the first input is safe.
  static constexpr std::array<std::string_view, 20> ops = {
      "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish", "Elu", "Selu", "Softplus",
      "Erf",  "Sqrt",      "Exp",     "Log",  "Neg",  "Abs",         "Add",       "Sub", "Mul",  "Div"};
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

ActivationPlan plan_activations(const Graph& graph, std::span<const uint64_t> workspace_per_node, uint64_t alignment) {
  const int num_tensors = static_cast<int>(graph.tensors.size());
  const int num_steps = static_cast<int>(graph.nodes.size());
  auto bytes_of = [&](int t) {
    return static_cast<uint64_t>(num_elements(graph.tensors[t].shape)) * dtype_size(graph.tensors[t].dtype);
  };
  // Lifetimes per tensor.
  std::vector<int> first(num_tensors, -1), last(num_tensors, -1);
  std::vector<bool> is_output(num_tensors, false);
  for (const GraphIo& in : graph.inputs) first[in.tensor] = 0, last[in.tensor] = 0;
  for (int step = 0; step < num_steps; ++step) {
    const Node& node = graph.nodes[step];
    for (int t : node.outputs) first[t] = last[t] = step;
    for (int t : node.inputs)
      if (t >= 0) last[t] = std::max(last[t], step);
  }
  for (const GraphIo& out : graph.outputs) {
    is_output[out.tensor] = true;
    if (!graph.tensors[out.tensor].is_constant()) last[out.tensor] = std::max(num_steps - 1, 0);
  }

  // Tensors sharing bytes form a group, represented by its root tensor.
  std::vector<int> root(num_tensors);
  std::iota(root.begin(), root.end(), 0);
  auto find = [&](int t) {
    while (root[t] != t) t = root[t] = root[root[t]];
    return t;
  };
  std::vector<int> group_last(num_tensors);
  for (int t = 0; t < num_tensors; ++t) group_last[t] = is_output[t] ? INT32_MAX : last[t];
  for (int step = 0; step < num_steps; ++step) {
    const Node& node = graph.nodes[step];
    if (node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] < 0) continue;
    const int in = node.inputs[0], out = node.outputs[0];
    if (graph.tensors[in].is_constant() || first[in] < 0) continue;
    const int in_root = find(in);
    bool share = is_alias_op(node.op);
    if (!share && is_in_place_op(node.op)) {
      // The whole group must die here, and no other input of the node may be the same group.
      bool other_use = false;
      for (size_t i = 1; i < node.inputs.size(); ++i)
        other_use |=
            node.inputs[i] >= 0 && !graph.tensors[node.inputs[i]].is_constant() && find(node.inputs[i]) == in_root;
      share = !other_use && group_last[in_root] == step && graph.tensors[in].dtype == graph.tensors[out].dtype &&
              graph.tensors[in].shape == graph.tensors[out].shape;
    }
    if (!share) continue;
    root[out] = in_root;
    group_last[in_root] = std::max(group_last[in_root], group_last[out]);
  }

  ActivationPlan plan;
  plan.buffer_of_tensor.assign(num_tensors, -1);
  plan.tensor_offset.assign(num_tensors, 0);
  std::vector<int> buffer_of_root(num_tensors, -1);
  for (int t = 0; t < num_tensors; ++t) {
    if (graph.tensors[t].is_constant() || first[t] < 0) continue;
    const int r = find(t);
    if (buffer_of_root[r] < 0) {
      buffer_of_root[r] = static_cast<int>(plan.buffers.size());
      plan.buffers.push_back(BufferRequest{0, first[t], last[t]});
    }
    BufferRequest& b = plan.buffers[buffer_of_root[r]];
    b.size = std::max(b.size, bytes_of(t));
    b.first_use = std::min(b.first_use, first[t]);
    b.last_use = std::max(b.last_use, last[t]);
    plan.buffer_of_tensor[t] = buffer_of_root[r];
    plan.separate_bytes += (bytes_of(t) + alignment - 1) / alignment * alignment;
  }
  plan.workspace_offset.assign(graph.nodes.size(), -1);
  plan.workspace_bytes.assign(graph.nodes.size(), 0);
  std::vector<std::pair<int, size_t>> workspace_buffer;  // (node, buffer index)
  for (size_t n = 0; n < workspace_per_node.size() && n < graph.nodes.size(); ++n) {
    if (workspace_per_node[n] == 0) continue;
    plan.workspace_bytes[n] = workspace_per_node[n];
    workspace_buffer.emplace_back(static_cast<int>(n), plan.buffers.size());
    plan.buffers.push_back(BufferRequest{workspace_per_node[n], static_cast<int>(n), static_cast<int>(n)});
  }
  plan.memory = plan_memory(plan.buffers, alignment);
  for (const auto& [node, buffer] : workspace_buffer)
    plan.workspace_offset[node] = static_cast<int64_t>(plan.memory.offsets[buffer]);
  plan.lower_bound = memory_lower_bound(plan.buffers, alignment);
  for (int t = 0; t < num_tensors; ++t)
    if (plan.buffer_of_tensor[t] >= 0) plan.tensor_offset[t] = plan.memory.offsets[plan.buffer_of_tensor[t]];
  return plan;
}

}  // namespace fusedinf
