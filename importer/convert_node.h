// Converting ONNX nodes into the graph being built, shared by the top-level walk
// (onnx_importer.cpp) and If's inlined branches (if_inline.cpp).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "engine/status.h"
#include "importer/node_context.h"

namespace fusedinf::importer {

// Converts one node through its converter (If: inline_if). `fallback_name` names a node
// that has none ("#3", "if_0/then#2").
Status convert_node(ImportState& state, const onnx::NodeProto& proto, const std::string& fallback_name);

// An If whose condition is a constant at import (folded, a --constant-input, or a frozen
// static input): the taken branch's initializers and nodes are converted in place (nested
// Ifs likewise) in a scope that sees the outer values, and the If's outputs are bound to
// the branch's outputs. Names the branch defines are forgotten after it. A condition that
// depends on graph inputs is refused, naming them.
Status inline_if(ImportState& state, const onnx::NodeProto& proto);

}  // namespace fusedinf::importer
