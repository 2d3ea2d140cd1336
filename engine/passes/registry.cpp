#include <sstream>

#include "engine/passes/pass.h"

namespace fusedinf {

const std::vector<Pass>& all_passes() {
  // The one visible table of passes, in default order.
  static const std::vector<Pass> passes = {
      {"fold-constants", "evaluate nodes whose inputs are all constants", fold_constants_pass},
      {"simplify-shapes", "remove no-op Reshape/Transpose/Cast, merge reshape and transpose chains",
       simplify_shapes_pass},
      {"dedup-constants", "store equal constants once (hash, then bytes)", dedup_constants_pass},
      {"cse", "merge nodes with the same op, attributes and inputs", cse_pass},
      {"fold-batchnorm",
       "fold BatchNormalization and per-channel Mul/Add into Conv, ConvTranspose, Gemm, MatMul weights",
       fold_batchnorm_pass},
      {"fuse-epilogues", "fuse bias/residual Add and activations into Conv, Gemm and MatMul", fuse_epilogues_pass},
      {"dead-code", "remove nodes and tensors no output needs", dead_code_pass},
  };
  return passes;
}

namespace {

Result<std::vector<const Pass*>> select_passes(const std::string& names) {
  std::vector<const Pass*> selected;
  if (names == "default") {
    for (const Pass& p : all_passes()) selected.push_back(&p);
  } else if (names != "none") {
    std::stringstream list(names);
    std::string name;
    while (std::getline(list, name, ',')) {
      const Pass* found = nullptr;
      for (const Pass& p : all_passes())
        if (p.name == name) found = &p;
      if (!found) {
        std::string known;
        for (const Pass& p : all_passes()) known += (known.empty() ? "" : ", ") + std::string(p.name);
        return Status::error("unknown pass '" + name + "' (passes: " + known + ")");
      }
      selected.push_back(found);
    }
  }
  return selected;
}

}  // namespace

Status check_pass_names(const std::string& names) { return select_passes(names).status(); }

Result<std::vector<PassReport>> run_passes(Graph& graph, const std::string& names, const PassContext& context) {
  FI_ASSIGN_OR_RETURN(std::vector<const Pass*> selected, select_passes(names));
  std::vector<PassReport> reports;
  for (const Pass* p : selected) {
    const size_t nodes_before = graph.nodes.size();
    Result<PassReport> report = p->run(graph, context);
    if (!report.is_ok()) return report.status().with_context("pass " + std::string(p->name));
    report->pass = std::string(p->name);
    graph.history.push_back(report->pass + ": " + report->detail + " (nodes " + std::to_string(nodes_before) + " -> " +
                            std::to_string(graph.nodes.size()) + ")");
    reports.push_back(std::move(*report));
  }
  FI_RETURN_IF_ERROR(graph.validate_structure().with_context("after passes"));
  return reports;
}

}  // namespace fusedinf
