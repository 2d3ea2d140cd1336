// Equal constants (same dtype, shape and bytes) become one tensor. Candidates are grouped by
// an XXH3 hash of their bytes; equality is always confirmed byte for byte.
#include <xxhash.h>

#include <map>
#include <tuple>

#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

Result<PassReport> dedup_constants_pass(Graph& graph, const PassContext&) {
  std::map<std::tuple<uint64_t, DType, Shape>, std::vector<int>> seen;
  PassReport report;
  uint64_t saved = 0;
  for (int t = 0; t < static_cast<int>(graph.tensors.size()); ++t) {
    const Tensor& tensor = graph.tensors[t];
    if (!tensor.is_constant()) continue;
    const Buffer& b = graph.buffers[tensor.buffer];
    auto& candidates = seen[{XXH3_64bits(b.data, b.size), tensor.dtype, tensor.shape}];
    int same = -1;
    for (int c : candidates)
      if (same_constant(graph, c, t)) same = c;
    if (same < 0) {
      candidates.push_back(t);
      continue;
    }
    replace_uses(graph, t, same);
    ++report.changes;
    if (graph.tensors[same].buffer != tensor.buffer) saved += b.size;
  }
  remove_dead_code(graph);
  report.detail = std::to_string(report.changes) + " duplicate constants merged, " + std::to_string(saved) + " bytes";
  return report;
}

}  // namespace fusedinf
