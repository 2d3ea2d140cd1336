// Axis lists of ONNX attributes or inputs, resolved against a rank: negative values count
// from the end; the result is sorted; out-of-range or repeated axes are refused.
#pragma once

#include <algorithm>
#include <vector>

#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

inline Result<std::vector<int64_t>> resolve_axes(const ConvertContext& ctx, std::vector<int64_t> axes, int64_t rank) {
  for (int64_t& a : axes) {
    a = normalize_axis(a, rank);
    if (a < 0) return ctx.fail("axis out of range for rank " + std::to_string(rank));
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return ctx.fail("repeated axes");
  return axes;
}

}  // namespace fusedinf::importer
