// The copy plan of a pipelined swap-in: chunk boundaries, skipped buffers, and the one event
// each node waits for.
#include "runtime/swap_plan.h"

#include <gtest/gtest.h>

namespace fusedinf {
namespace {

uint64_t chunk_bytes_of(const std::vector<CopyPiece>& chunk) {
  uint64_t n = 0;
  for (const CopyPiece& p : chunk) n += p.bytes;
  return n;
}

TEST(SwapPlanTest, PiecesCoverEveryCopiedByteOnceInOrderWithinChunks) {
  const std::vector<uint64_t> sizes = {100, 250, 0, 40, 300, 7};
  const std::vector<bool> copy = {true, true, true, false, true, true};
  const SwapPlan plan = plan_swap(sizes, copy, 128);
  std::vector<uint64_t> covered(sizes.size(), 0);
  size_t last_buffer = 0;
  for (size_t c = 0; c < plan.chunks.size(); ++c) {
    EXPECT_LE(chunk_bytes_of(plan.chunks[c]), 128u);
    if (c + 1 < plan.chunks.size()) {
      EXPECT_EQ(chunk_bytes_of(plan.chunks[c]), 128u) << "only the last chunk is short";
    }
    for (const CopyPiece& p : plan.chunks[c]) {
      EXPECT_GE(p.buffer, last_buffer);
      last_buffer = p.buffer;
      EXPECT_EQ(p.offset, covered[p.buffer]) << "pieces of a buffer are contiguous and in order";
      covered[p.buffer] += p.bytes;
    }
  }
  for (size_t b = 0; b < sizes.size(); ++b) EXPECT_EQ(covered[b], copy[b] ? sizes[b] : 0u) << b;
  EXPECT_EQ(plan.chunks.size(), (100u + 250 + 300 + 7 + 127) / 128);
  EXPECT_EQ(plan.chunk_of_buffer[0], 0);  // bytes 0..99
  EXPECT_EQ(plan.chunk_of_buffer[1], 2);  // bytes 100..349
  EXPECT_EQ(plan.chunk_of_buffer[3], -1) << "not copied";
  EXPECT_EQ(plan.chunk_of_buffer[4], 5);  // bytes 350..649
  EXPECT_EQ(plan.chunk_of_buffer[5], 5);  // bytes 650..656
}

TEST(SwapPlanTest, ZeroChunkBytesIsOneChunkAndNothingToCopyIsNoChunk) {
  const std::vector<uint64_t> sizes = {10, 20};
  EXPECT_EQ(plan_swap(sizes, {true, true}, 0).chunks.size(), 1u);
  const SwapPlan none = plan_swap(sizes, {false, false}, 8);
  EXPECT_TRUE(none.chunks.empty());
  EXPECT_EQ(none.chunk_of_buffer, (std::vector<int>{-1, -1}));
}

TEST(SwapPlanTest, EachNodeWaitsForItsLatestWeight) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {4});
  float w[4] = {1, 2, 3, 4};
  const int a = g.add_constant("a", DType::kFloat32, {4}, Buffer::copy_of(w, sizeof w));
  const int b = g.add_constant("b", DType::kFloat32, {4}, Buffer::copy_of(w, sizeof w));
  const int y1 = g.add_tensor("y1", DType::kFloat32, {4}), y2 = g.add_tensor("y2", DType::kFloat32, {4}),
            y3 = g.add_tensor("y3", DType::kFloat32, {4});
  g.nodes = {Node{"Add", "n0", {x, a}, {y1}, {}}, Node{"Relu", "n1", {y1}, {y2}, {}},
             Node{"Sum", "n2", {y2, b, a}, {y3}, {}}};
  const std::vector<int64_t> rank = {3, 7};  // buffer of a completes at event 3, b at 7
  EXPECT_EQ(latest_per_node(g, rank), (std::vector<int64_t>{3, -1, 7}));
}

}  // namespace
}  // namespace fusedinf
