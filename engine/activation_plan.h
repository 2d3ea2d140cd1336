// The static memory plan of a graph's activations: which tensors share bytes and where each
// lives in the one arena.
//
// - Reshape, Flatten, Squeeze and Unsqueeze alias their input (same bytes, no copy).
// - An elementwise op (engine: is_in_place_op) writes into its first input's bytes when that
//   input has the output's dtype and shape and dies at this node (not a graph output).
// - Graph inputs are live from step 0, graph outputs until the last step.
// - A node's kernel workspace (bytes per node, from the backend's prepare step) is a buffer
//   live only at that node's step.
// Constants are not planned (they live in the weights region).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/memory_planner.h"

namespace fusedinf {

struct ActivationPlan {
  std::vector<int> buffer_of_tensor;      // -1 for constants and unused tensors
  std::vector<BufferRequest> buffers;     // one per distinct buffer
  std::vector<uint64_t> tensor_offset;    // byte offset in the arena (0 for constants)
  std::vector<int64_t> workspace_offset;  // per node: arena offset of its workspace, -1 for none
  std::vector<uint64_t> workspace_bytes;  // per node
  MemoryPlan memory;                      // offsets per buffer, arena size
  uint64_t lower_bound = 0;               // memory_lower_bound over the buffers
  uint64_t separate_bytes = 0;            // every activation allocated on its own (aligned)
};

bool is_alias_op(std::string_view op);
bool is_in_place_op(std::string_view op);

ActivationPlan plan_activations(const Graph& graph, std::span<const uint64_t> workspace_per_node = {},
                                uint64_t alignment = 64);

}  // namespace fusedinf
