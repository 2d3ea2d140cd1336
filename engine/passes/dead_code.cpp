#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

Result<PassReport> dead_code_pass(Graph& graph, const PassContext&) {
  const size_t before = graph.nodes.size();
  remove_dead_code(graph);
  PassReport report;
  report.changes = static_cast<int>(before - graph.nodes.size());
  report.detail = std::to_string(report.changes) + " dead nodes removed";
  return report;
}

}  // namespace fusedinf
