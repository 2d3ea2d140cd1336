// The fuzz targets' entry functions: each feeds one input, as bytes, through one path the
// runtime reads untrusted data on. The libFuzzer binaries (tests/fuzz/fuzz_main.cpp, clang,
// -DFUSEDINF_FUZZ=ON) and the regression replay (tests/unit/fuzz_regressions_test.cpp, any
// build) call the same functions.
//
// An entry returns the Status of the path (most fuzz inputs are refused: that is the point);
// it aborts only when an invariant breaks (a saved graph that does not load back). Crashes,
// leaks and undefined behaviour are what the sanitizers report.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf::fuzz {

// Fuzz-time bounds, so that one input costs milliseconds, not minutes: a model over one of
// them is refused by the harness before it is planned or run (the runtime's own limits are
// far higher).
struct FuzzBudget {
  static constexpr uint64_t kArenaBytes = 16 << 20;       // planned activations + workspace
  static constexpr uint64_t kWeightBytes = 16 << 20;      // constants of a model run
  static constexpr uint64_t kFoldedBytes = 4 << 20;       // outputs of one folded node
  static constexpr double kWork = 2e7;                    // estimated element operations
  static constexpr uint64_t kPoolBudgetBytes = 32 << 20;  // the model pool's device budget
};

// Estimated element operations to run `node` of `graph` (reads, writes, and multiply-adds of
// Conv, MatMul, Gemm and windowed ops).
double node_work(const Graph& graph, const Node& node);
// Refuses a graph whose estimated work is over FuzzBudget::kWork.
Status check_work(const Graph& graph);

// (1) .fim bytes -> load -> plan -> run on the CPU backend.
Status fim_run(std::span<const uint8_t> data);
// (2) ONNX bytes -> import -> default passes -> save (in memory) -> load.
Status onnx_import(std::span<const uint8_t> data);
// (3) .npy bytes -> parse_npy.
Status npy(std::span<const uint8_t> data);
// (3) serialised onnx.TensorProto bytes -> parse_tensor_pb.
Status tensor_pb(std::span<const uint8_t> data);
// (4) fused-group .fim bytes -> load -> select each member -> register all in a model pool
// -> run one.
Status group_pool(std::span<const uint8_t> data);

struct Target {
  std::string_view name;  // tests/fuzz/regressions/<name>, fuzz_<name>
  Status (*entry)(std::span<const uint8_t>);
};
const std::vector<Target>& targets();

}  // namespace fusedinf::fuzz
