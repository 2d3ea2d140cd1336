#include "engine/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

namespace fusedinf {
namespace {

// No two buffers whose lifetimes overlap may overlap in memory; all fit in the arena.
void expect_valid(std::span<const BufferRequest> r, const MemoryPlan& plan, uint64_t alignment) {
  ASSERT_EQ(plan.offsets.size(), r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % alignment, 0u);
    EXPECT_LE(plan.offsets[i] + r[i].size, plan.arena_size);
    for (size_t j = i + 1; j < r.size(); ++j) {
      if (!r[i].size || !r[j].size) continue;
      const bool live_together = r[i].first_use <= r[j].last_use && r[j].first_use <= r[i].last_use;
      const bool memory_overlaps =
          plan.offsets[i] < plan.offsets[j] + r[j].size && plan.offsets[j] < plan.offsets[i] + r[i].size;
      EXPECT_FALSE(live_together && memory_overlaps) << "buffers " << i << " and " << j;
    }
  }
}

TEST(MemoryPlannerTest, ChainReusesMemory) {
  // a -> b -> c -> d: only two neighbours live at once.
  std::vector<BufferRequest> r = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan plan = plan_memory(r);
  expect_valid(r, plan, 64);
  EXPECT_EQ(plan.arena_size, 2 * 1024u);
  EXPECT_EQ(memory_lower_bound(r), 2 * 1024u);
}

TEST(MemoryPlannerTest, BestFitChoosesSmallestGap) {
  // Two holes open at step 2 (sizes 128 and 512 between live buffers); a 128-byte buffer
  // must take the 128 hole, leaving the big one.
  std::vector<BufferRequest> r = {{512, 0, 5}, {512, 0, 1}, {256, 0, 5}, {128, 0, 1}, {128, 0, 5}, {128, 2, 3}};
  MemoryPlan plan = plan_memory(r);
  expect_valid(r, plan, 64);
  EXPECT_EQ(plan.offsets[5], plan.offsets[3]);
}

TEST(MemoryPlannerTest, ZeroSizedAndEmpty) {
  EXPECT_EQ(plan_memory({}).arena_size, 0u);
  std::vector<BufferRequest> r = {{0, 0, 3}, {10, 1, 2}};
  MemoryPlan plan = plan_memory(r);
  EXPECT_EQ(plan.arena_size, 64u);
}

TEST(MemoryPlannerTest, RandomisedNoOverlapAndBounds) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int steps = 1 + static_cast<int>(rng() % 50);
    std::vector<BufferRequest> r(1 + rng() % 60);
    for (auto& b : r) {
      b.size = rng() % 5000;
      b.first_use = static_cast<int>(rng() % steps);
      b.last_use = b.first_use + static_cast<int>(rng() % (steps - b.first_use));
    }
    MemoryPlan plan = plan_memory(r, 64);
    expect_valid(r, plan, 64);
    const uint64_t lb = memory_lower_bound(r, 64);
    EXPECT_GE(plan.arena_size, lb);
    uint64_t separate = 0;
    for (auto& b : r) separate += (b.size + 63) / 64 * 64;
    EXPECT_LE(plan.arena_size, separate);
  }
}

}  // namespace
}  // namespace fusedinf
