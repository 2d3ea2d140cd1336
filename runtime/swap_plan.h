// The copy plan of a pipelined swap-in (PipeSwitch's idea): the weights to copy, in buffer
// order (first-use order in a .fim), cut into chunks of about `chunk_bytes`; an event follows
// each chunk, and each node waits only for the chunk that completes its last weight, so the
// first nodes run while later weights are still on their way.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/graph.h"

namespace fusedinf {

struct CopyPiece {
  size_t buffer = 0;
  uint64_t offset = 0, bytes = 0;  // a byte range of that buffer
};

struct SwapPlan {
  std::vector<std::vector<CopyPiece>> chunks;  // at most chunk_bytes each
  std::vector<int> chunk_of_buffer;            // chunk holding the buffer's last byte; -1: not copied
};

// Buffers with copy[b] set are copied, in order; pieces never cross a chunk boundary, so
// every chunk but the last holds exactly chunk_bytes (chunk_bytes 0: one chunk).
SwapPlan plan_swap(std::span<const uint64_t> buffer_bytes, const std::vector<bool>& copy, uint64_t chunk_bytes);

// Per node, the largest of rank[b] over the constant buffers b it reads (-1: reads none, or
// none ranked). With rank = the global order of the event that completes each buffer, this
// is the one event a node must wait for.
std::vector<int64_t> latest_per_node(const Graph& graph, std::span<const int64_t> rank_of_buffer);

}  // namespace fusedinf
