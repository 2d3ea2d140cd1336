// ONNX TopK -> IR TopK: k is an attribute before opset 10, a constant int64 input [1] from
// 10; largest and sorted (default 1) from 11. Opset 24 only added dtypes.
#include <string>

#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status convert_topk(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  const int64_t axis = normalize_axis(ctx.attr_int("axis", -1), rank);
  if (axis < 0) return ctx.fail("axis out of range for rank " + std::to_string(rank));
  int64_t k = 0;
  if (ctx.opset() < 10) {
    if (!ctx.has_attr("k")) return ctx.fail("k is required");
    k = ctx.attr_int("k", 0);
  } else {
    FI_ASSIGN_OR_RETURN(std::vector<int64_t> values, ctx.constant_ints(1));
    if (values.size() != 1) return ctx.fail("K must hold one value, holds " + std::to_string(values.size()));
    k = values[0];
  }
  if (k < 0 || k > ctx.input_tensor(0).shape[axis])
    return ctx.fail("K " + std::to_string(k) + " must be in [0, " + std::to_string(ctx.input_tensor(0).shape[axis]) +
                    "]");
  Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("k", k);
  attrs.set("largest", ctx.attr_int("largest", 1) != 0 ? int64_t{1} : int64_t{0});
  attrs.set("sorted", ctx.attr_int("sorted", 1) != 0 ? int64_t{1} : int64_t{0});
  return ctx.emit("TopK", {ctx.input(0)}, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"TopK", 7, 28, convert_topk},
};

}  // namespace

std::span<const OnnxConverter> selection_converters() { return kConverters; }

}  // namespace fusedinf::importer
