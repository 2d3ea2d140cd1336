// How graph-level code (importer folding, passes) evaluates a node on constant inputs
// without depending on kernels/: the caller injects the CPU reference kernels
// (kernels/cpu/cpu_kernels.h: run_cpu_node).
#pragma once

#include <functional>
#include <span>

#include "engine/graph.h"
#include "engine/tensor_view.h"

namespace fusedinf {

// Computes `node` from `inputs` into `outputs` (allocated by the caller from inferred shapes).
using NodeEvaluator = std::function<Status(const Node& node, std::span<const ConstTensorView> inputs,
                                           std::span<const TensorView> outputs)>;

}  // namespace fusedinf
