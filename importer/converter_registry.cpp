#include <algorithm>

#include "importer/convert_context.h"

namespace fusedinf::importer {

std::vector<const OnnxConverter*> all_converters() {
  // The one visible table of ONNX op families.
  // clang-format off
  const std::span<const OnnxConverter> families[] = {
      conv_converters(),          pool_converters(),    normalization_converters(), elementwise_converters(),
      matmul_converters(),        softmax_converters(), reduce_converters(),        shape_converters(),
      data_movement_converters(), resize_converters(),  misc_converters(),
      recurrent_converters(),
      scatter_gather_converters(), selection_converters(),  // ops helper block (issue 11)
  };
  // clang-format on
  std::vector<const OnnxConverter*> converters;
  for (auto family : families)
    for (const OnnxConverter& c : family) converters.push_back(&c);
  return converters;
}

const OnnxConverter* find_converter(std::string_view onnx_op, int opset) {
  static const std::vector<const OnnxConverter*> converters = all_converters();
  auto it = std::find_if(converters.begin(), converters.end(), [&](const OnnxConverter* c) {
    return c->onnx_op == onnx_op && opset >= c->since_opset && opset <= c->until_opset;
  });
  return it == converters.end() ? nullptr : *it;
}

}  // namespace fusedinf::importer
