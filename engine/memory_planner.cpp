#include "engine/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace fusedinf {

namespace {
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
bool lifetimes_overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}
}  // namespace

MemoryPlan plan_memory(std::span<const BufferRequest> requests, uint64_t alignment) {
  const size_t n = requests.size();
  MemoryPlan plan;
  plan.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].size != requests[b].size) return requests[a].size > requests[b].size;
    return requests[a].first_use < requests[b].first_use;
  });
  std::vector<size_t> placed;
  struct Extent {
    uint64_t begin, end;
  };
  std::vector<Extent> busy;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    const uint64_t size = align_up(r.size, alignment);
    if (size == 0) {
      placed.push_back(idx);
      continue;
    }
    busy.clear();
    for (size_t other : placed)
      if (requests[other].size && lifetimes_overlap(r, requests[other]))
        busy.push_back({plan.offsets[other], plan.offsets[other] + align_up(requests[other].size, alignment)});
    std::sort(busy.begin(), busy.end(), [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
    // Scan the gaps between live extents; keep the smallest that fits.
    uint64_t best_offset = 0, best_gap = UINT64_MAX, cursor = 0;
    bool found = false;
    for (const Extent& e : busy) {
      if (e.begin > cursor) {
        const uint64_t gap = e.begin - cursor;
        if (gap >= size && gap < best_gap) {
          best_gap = gap;
          best_offset = cursor;
          found = true;
        }
      }
      cursor = std::max(cursor, e.end);
    }
    plan.offsets[idx] = found ? best_offset : cursor;
    plan.arena_size = std::max(plan.arena_size, plan.offsets[idx] + size);
    placed.push_back(idx);
  }
  return plan;
}

uint64_t memory_lower_bound(std::span<const BufferRequest> requests, uint64_t alignment) {
  int last_step = -1;
  for (const BufferRequest& r : requests) last_step = std::max(last_step, r.last_use);
  if (last_step < 0) return 0;
  // Sweep: +size at first_use, -size after last_use.
  std::vector<int64_t> delta(static_cast<size_t>(last_step) + 2, 0);
  for (const BufferRequest& r : requests) {
    const int64_t size = static_cast<int64_t>(align_up(r.size, alignment));
    delta[static_cast<size_t>(std::max(0, r.first_use))] += size;
    delta[static_cast<size_t>(r.last_use) + 1] -= size;
  }
  int64_t live = 0, peak = 0;
  for (int64_t d : delta) peak = std::max(peak, live += d);
  return static_cast<uint64_t>(peak);
}

}  // namespace fusedinf
