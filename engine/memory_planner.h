// Static memory planning: a pure function from buffer lifetimes to offsets in one arena.
//
// Each request is a buffer of `size` bytes live from step `first_use` to step `last_use`
// (inclusive; steps are node indices of the schedule). Two buffers whose lifetimes overlap
// never overlap in memory. Placement is greedy by size (largest first) with best fit: each
// buffer goes into the smallest gap, among buffers already placed and live at the same time,
// that holds it (TFLite's greedy planner uses first fit). Offsets are multiples of `alignment`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fusedinf {

struct BufferRequest {
  uint64_t size = 0;
  int first_use = 0;
  int last_use = 0;
};

struct MemoryPlan {
  std::vector<uint64_t> offsets;  // one per request
  uint64_t arena_size = 0;
};

MemoryPlan plan_memory(std::span<const BufferRequest> requests, uint64_t alignment = 64);

// The largest sum of (aligned) sizes of buffers live at one step: no plan can be smaller.
uint64_t memory_lower_bound(std::span<const BufferRequest> requests, uint64_t alignment = 64);

}  // namespace fusedinf
