// Graph inputs at import: each declared input becomes either a graph input with a static
// shape or, when bound with ImportOptions::constant_inputs, a constant that later nodes fold.
//
// Shape of an input, first rule that applies:
//   1. ImportOptions::input_shapes[name] (`--shape NAME=D0,D1,...`): the whole shape; rank and
//      every dimension the file fixes must agree.
//   2. ImportOptions::static_inputs[name] (test data): that value's shape, same agreement.
//   3. The declared dims, where a dim is unknown when it is symbolic (dim_param), has no
//      value, or its value is <= 0 (-1 and 0 are how some exporters write "unknown"):
//      an unknown dim 0 takes ImportOptions::batch_size; a bound constant of rank 1 takes
//      its value count; any other unknown dim fails the import naming the input, the dim
//      index and `--shape`. An unknown rank fails the same way.
#pragma once

#include <onnx/onnx_pb.h>

#include "engine/status.h"
#include "importer/node_context.h"

namespace fusedinf::importer {

// Adds `info` to state.graph (an input or, if bound, a constant) and to state.value_of.
Status add_graph_input(ImportState& state, const onnx::ValueInfoProto& info);

// Every name in options.input_shapes and options.constant_inputs is a declared graph input
// of `g` that no initializer defines; otherwise an error naming it and the inputs.
Status check_input_options(const onnx::GraphProto& g, const ImportOptions& options);

// `text` parsed as one value of `dtype` (float32: decimal or inf/nan; integers: in range;
// bool: 0, 1, true, false) written at `out`; an error names the text and the dtype.
Status parse_value(const std::string& text, DType dtype, void* out);

}  // namespace fusedinf::importer
