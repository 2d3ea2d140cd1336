#include "engine/graph_rewrite.h"

#include <cstring>

namespace fusedinf {

void replace_uses(Graph& graph, int from, int to) {
  for (Node& node : graph.nodes)
    for (int& t : node.inputs)
      if (t == from) t = to;
  for (GraphIo& out : graph.outputs)
    if (out.tensor == from) out.tensor = to;
  for (Signature& sig : graph.signatures)
    for (GraphIo& out : sig.outputs)
      if (out.tensor == from) out.tensor = to;
}

std::vector<int> use_counts(const Graph& graph) {
  std::vector<int> uses(graph.tensors.size(), 0);
  for (const Node& node : graph.nodes)
    for (int t : node.inputs)
      if (t >= 0) ++uses[t];
  for (const GraphIo& out : graph.outputs) ++uses[out.tensor];
  return uses;
}

std::vector<int> producers(const Graph& graph) {
  std::vector<int> producer(graph.tensors.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (int t : graph.nodes[n].outputs) producer[t] = static_cast<int>(n);
  return producer;
}

bool same_constant(const Graph& graph, int a, int b) {
  const Tensor &ta = graph.tensors[a], &tb = graph.tensors[b];
  if (!ta.is_constant() || !tb.is_constant() || ta.dtype != tb.dtype || ta.shape != tb.shape) return false;
  if (ta.buffer == tb.buffer) return true;
  const Buffer &ba = graph.buffers[ta.buffer], &bb = graph.buffers[tb.buffer];
  return ba.size == bb.size && (ba.size == 0 || std::memcmp(ba.data, bb.data, ba.size) == 0);
}

void erase_nodes(Graph& graph, const std::vector<bool>& drop) {
  std::vector<Node> kept;
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (!drop[n]) kept.push_back(std::move(graph.nodes[n]));
  graph.nodes = std::move(kept);
}

void remove_dead_code(Graph& graph) {
  const size_t num_tensors = graph.tensors.size();
  std::vector<bool> needed(num_tensors, false);
  for (const GraphIo& out : graph.outputs) needed[out.tensor] = true;
  std::vector<bool> keep_node(graph.nodes.size(), false);
  for (size_t n = graph.nodes.size(); n-- > 0;) {
    const Node& node = graph.nodes[n];
    for (int t : node.outputs) keep_node[n] = keep_node[n] || needed[t];
    if (!keep_node[n]) continue;
    for (int t : node.inputs)
      if (t >= 0) needed[t] = true;
  }
  std::vector<Node> nodes;
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (keep_node[n]) nodes.push_back(std::move(graph.nodes[n]));
  graph.nodes = std::move(nodes);

  // Tensors still referred to: graph inputs and outputs, node inputs and outputs.
  std::vector<bool> used(num_tensors, false);
  for (const GraphIo& io : graph.inputs) used[io.tensor] = true;
  for (const GraphIo& io : graph.outputs) used[io.tensor] = true;
  for (const Node& node : graph.nodes) {
    for (int t : node.inputs)
      if (t >= 0) used[t] = true;
    for (int t : node.outputs) used[t] = true;
  }
  std::vector<int> new_tensor(num_tensors, -1);
  std::vector<int> new_buffer(graph.buffers.size(), -1);
  std::vector<Tensor> tensors;
  std::vector<Buffer> buffers;
  for (size_t t = 0; t < num_tensors; ++t) {
    if (!used[t]) continue;
    Tensor tensor = std::move(graph.tensors[t]);
    if (tensor.is_constant()) {
      if (new_buffer[tensor.buffer] < 0) {
        new_buffer[tensor.buffer] = static_cast<int>(buffers.size());
        buffers.push_back(graph.buffers[tensor.buffer]);
      }
      tensor.buffer = new_buffer[tensor.buffer];
    }
    new_tensor[t] = static_cast<int>(tensors.size());
    tensors.push_back(std::move(tensor));
  }
  graph.tensors = std::move(tensors);
  graph.buffers = std::move(buffers);
  for (Node& node : graph.nodes) {
    for (int& t : node.inputs)
      if (t >= 0) t = new_tensor[t];
    for (int& t : node.outputs) t = new_tensor[t];
  }
  for (GraphIo& io : graph.inputs) io.tensor = new_tensor[io.tensor];
  for (GraphIo& io : graph.outputs) io.tensor = new_tensor[io.tensor];
  for (Signature& sig : graph.signatures) {
    for (GraphIo& io : sig.inputs) io.tensor = new_tensor[io.tensor];
    for (GraphIo& io : sig.outputs) io.tensor = new_tensor[io.tensor];
  }
}

}  // namespace fusedinf
