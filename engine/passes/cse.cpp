// Common-subexpression elimination: a node with the same op, attributes and inputs as an
// earlier node is dropped and its outputs are replaced by the earlier node's. Run after
// dedup-constants, so equal weights count as the same input. In a fused group this is what
// makes a backbone shared by several models (on the same input) run once.
#include <map>

#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

Result<PassReport> cse_pass(Graph& graph, const PassContext&) {
  std::map<std::pair<std::string, std::vector<int>>, std::vector<size_t>> seen;  // (op, inputs) -> nodes
  std::vector<bool> removed(graph.nodes.size(), false);
  PassReport report;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    auto& candidates = seen[{node.op, node.inputs}];
    size_t same = SIZE_MAX;
    for (size_t c : candidates)
      if (graph.nodes[c].attrs == node.attrs && graph.nodes[c].outputs.size() == node.outputs.size()) same = c;
    if (same == SIZE_MAX) {
      candidates.push_back(n);
      continue;
    }
    // Later nodes' inputs change; their keys are computed when reached, so order is kept.
    for (size_t o = 0; o < node.outputs.size(); ++o) replace_uses(graph, node.outputs[o], graph.nodes[same].outputs[o]);
    removed[n] = true;
    ++report.changes;
  }
  erase_nodes(graph, removed);
  remove_dead_code(graph);
  report.detail = std::to_string(report.changes) + " duplicate nodes merged";
  return report;
}

}  // namespace fusedinf
