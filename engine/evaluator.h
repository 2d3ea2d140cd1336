// How graph-level code (importer folding, passes) evaluates a node on constant inputs
// without depending on kernels/: the caller injects the CPU reference kernels
// (kernels/cpu/cpu_kernels.h: run_cpu_node).
#pragma once

#include <functional>
#include <span>

#include "engine/graph.h"
#include "engine/tensor_view.h"

namespace fusedinf {

// Computes `node` from `inputs` into `outputs` (allocated by the caller from inferred shapes).
using NodeEvaluator = std::function<Status(const Node& node, std::span<const ConstTensorView> inputs,
                                           std::span<const TensorView> outputs)>;

// Constant folding (importer, fold-constants pass) leaves a node to run time when its outputs
// together would exceed this many bytes: a crafted shape cannot make the folder allocate
// terabytes, and a model with a huge generated constant stays loadable.
inline constexpr uint64_t kDefaultMaxFoldedBytes = uint64_t{1} << 30;

// Bytes of `node`'s outputs as `graph` declares them (shapes within kMaxTensorElements).
inline uint64_t node_output_bytes(const Graph& graph, const Node& node) {
  uint64_t total = 0;
  for (int t : node.outputs)
    total += static_cast<uint64_t>(num_elements(graph.tensors[t].shape)) * dtype_size(graph.tensors[t].dtype);
  return total;
}

}  // namespace fusedinf
