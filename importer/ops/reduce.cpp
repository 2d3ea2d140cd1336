// ONNX reductions -> IR: axes from the attribute (older opsets) or the input (ReduceSum
// from 13, the others from 18), resolved and sorted; an empty axes list means all axes,
// unless noop_with_empty_axes (then the op is an identity).
#include <algorithm>

#include "engine/shape.h"
#include "importer/convert_context.h"
#include "importer/ops/axes.h"

namespace fusedinf::importer {

namespace {

Status convert_reduce(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  const int axes_input_since = ctx.op_type() == "ReduceSum" ? 13 : 18;
  std::vector<int64_t> axes;
  if (ctx.opset() >= axes_input_since) {
    if (ctx.has_input(1)) {
      FI_ASSIGN_OR_RETURN(axes, ctx.constant_ints(1));
    }
  } else {
    axes = ctx.attr_ints("axes");
  }
  // Read whether or not axes is empty: an attribute present must be read.
  const bool noop_with_empty_axes = ctx.attr_int("noop_with_empty_axes", 0) != 0;
  if (axes.empty() && noop_with_empty_axes) {
    ctx.ignore_attrs({"keepdims"});  // an identity keeps every dimension
    return ctx.alias_output(0, ctx.input(0));
  }
  FI_ASSIGN_OR_RETURN(axes, resolve_axes(ctx, std::move(axes), rank));
  Attributes attrs;
  attrs.set("axes", axes);
  attrs.set("keepdims", ctx.attr_int("keepdims", 1));
  return ctx.emit(ctx.op_type(), {ctx.input(0)}, attrs);
}

Status convert_argmax(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  const int64_t axis = normalize_axis(ctx.attr_int("axis", 0), rank);
  if (axis < 0) return ctx.fail("axis out of range for rank " + std::to_string(rank));
  Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("keepdims", ctx.attr_int("keepdims", 1));
  attrs.set("select_last_index", ctx.attr_int("select_last_index", 0));
  return ctx.emit(ctx.op_type(), {ctx.input(0)}, attrs);
}

// CumSum(x, axis): the axis is a scalar input (int64 or int32) that must be constant.
Status convert_cumsum(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  FI_ASSIGN_OR_RETURN(std::vector<int64_t> axis_values, ctx.constant_ints(1));
  if (axis_values.size() != 1) return ctx.fail("axis must hold one value, holds " + std::to_string(axis_values.size()));
  const int64_t axis = normalize_axis(axis_values[0], rank);
  if (axis < 0)
    return ctx.fail("axis " + std::to_string(axis_values[0]) + " out of range for rank " + std::to_string(rank));
  Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("exclusive", ctx.attr_int("exclusive", 0) != 0 ? int64_t{1} : int64_t{0});
  attrs.set("reverse", ctx.attr_int("reverse", 0) != 0 ? int64_t{1} : int64_t{0});
  return ctx.emit("CumSum", {ctx.input(0)}, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"ReduceMean", 7, 28, convert_reduce},   {"ReduceSum", 7, 28, convert_reduce},
    {"ReduceMax", 7, 28, convert_reduce},    {"ReduceMin", 7, 28, convert_reduce},
    {"ReduceProd", 7, 28, convert_reduce},   {"ReduceL2", 7, 28, convert_reduce},
    {"ReduceL1", 7, 28, convert_reduce},     {"ReduceSumSquare", 7, 28, convert_reduce},
    {"ReduceLogSum", 7, 28, convert_reduce}, {"ReduceLogSumExp", 7, 28, convert_reduce},
    {"ArgMax", 7, 28, convert_argmax},       {"ArgMin", 7, 28, convert_argmax},
    {"CumSum", 11, 28, convert_cumsum},  // 14 only added dtypes
};

}  // namespace

std::span<const OnnxConverter> reduce_converters() { return kConverters; }

}  // namespace fusedinf::importer
