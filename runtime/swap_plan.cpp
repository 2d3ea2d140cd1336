#include "runtime/swap_plan.h"

#include <algorithm>

namespace fusedinf {

SwapPlan plan_swap(std::span<const uint64_t> buffer_bytes, const std::vector<bool>& copy, uint64_t chunk_bytes) {
  SwapPlan plan;
  plan.chunk_of_buffer.assign(buffer_bytes.size(), -1);
  uint64_t room = 0;  // bytes left in the current chunk
  for (size_t b = 0; b < buffer_bytes.size(); ++b) {
    if (!copy[b]) continue;
    uint64_t offset = 0;
    do {
      if (plan.chunks.empty() || (chunk_bytes > 0 && room == 0 && buffer_bytes[b] > 0)) {
        plan.chunks.emplace_back();
        room = chunk_bytes;
      }
      const uint64_t left = buffer_bytes[b] - offset;
      const uint64_t bytes = chunk_bytes > 0 ? std::min(left, room) : left;
      plan.chunks.back().push_back(CopyPiece{b, offset, bytes});
      offset += bytes;
      if (chunk_bytes > 0) room -= bytes;
    } while (offset < buffer_bytes[b]);
    plan.chunk_of_buffer[b] = static_cast<int>(plan.chunks.size()) - 1;
  }
  return plan;
}

std::vector<int64_t> latest_per_node(const Graph& graph, std::span<const int64_t> rank_of_buffer) {
  std::vector<int64_t> latest(graph.nodes.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (int t : graph.nodes[n].inputs)
      if (t >= 0 && graph.tensors[t].is_constant())
        latest[n] = std::max(latest[n], rank_of_buffer[graph.tensors[t].buffer]);
  return latest;
}

}  // namespace fusedinf
