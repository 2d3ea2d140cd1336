// Graph passes. Each pass is one function in engine/passes/<name>.cpp that rewrites a Graph
// without changing what it computes (beyond floating-point rounding) and says what it changed.
// The table in engine/passes/registry.cpp lists them in their default order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/evaluator.h"
#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf {

struct PassContext {
  NodeEvaluator evaluator;                             // CPU reference kernels, for constant folding
  uint64_t max_folded_bytes = kDefaultMaxFoldedBytes;  // bigger outputs are left to run time
};

struct PassReport {
  std::string pass;
  int changes = 0;     // nodes removed, fused or rewritten
  std::string detail;  // e.g. "12 BatchNormalization folded into Conv"
};

using PassFn = Result<PassReport> (*)(Graph& graph, const PassContext& context);

struct Pass {
  std::string_view name;
  std::string_view description;
  PassFn run;
};

Result<PassReport> dedup_constants_pass(Graph& graph, const PassContext& context);
Result<PassReport> cse_pass(Graph& graph, const PassContext& context);
Result<PassReport> dead_code_pass(Graph& graph, const PassContext& context);
Result<PassReport> fold_constants_pass(Graph& graph, const PassContext& context);
Result<PassReport> simplify_shapes_pass(Graph& graph, const PassContext& context);
Result<PassReport> fold_batchnorm_pass(Graph& graph, const PassContext& context);
Result<PassReport> fuse_epilogues_pass(Graph& graph, const PassContext& context);

// All passes in their default order.
const std::vector<Pass>& all_passes();

// Checks a pass list ("default", "none", or comma-separated names) without running it.
Status check_pass_names(const std::string& names);

// Runs the passes named in `names` ("default", "none", or a comma-separated list) in order.
Result<std::vector<PassReport>> run_passes(Graph& graph, const std::string& names, const PassContext& context);

}  // namespace fusedinf
