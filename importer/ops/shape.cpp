// ONNX shape ops -> IR with static parameters: shape-like inputs must be constants (after
// folding) and become attributes; Shape folds to a constant at once (shapes are static).
#include "engine/shape.h"

#include <algorithm>
#include <set>

#include "importer/convert_context.h"
#include "importer/onnx_tensor.h"
#include "importer/ops/axes.h"

namespace fusedinf::importer {

namespace {

Status convert_reshape(ConvertContext& ctx) {
  FI_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ctx.constant_ints(1));
  const Shape& x = ctx.input_tensor(0).shape;
  const bool allow_zero = ctx.attr_int("allowzero", 0) != 0;
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allow_zero) {
      if (i >= x.size()) return ctx.fail("shape[" + std::to_string(i) + "] = 0 copies a dimension the input lacks");
      shape[i] = x[i];
    }
    if (shape[i] == -1) {
      if (infer_at >= 0) return ctx.fail("more than one -1 in the shape");
      infer_at = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      return ctx.fail("negative dimension in the shape");
    } else if (!checked_mul(known, shape[i], known)) {
      return ctx.fail("the shape " + shape_to_string(shape) + " overflows");
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || num_elements(x) % known != 0) return ctx.fail("cannot infer the -1 dimension");
    shape[infer_at] = num_elements(x) / known;
  }
  Attributes attrs;
  attrs.set("shape", shape);
  return ctx.emit("Reshape", {ctx.input(0)}, attrs);
}

Status convert_flatten(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  int64_t axis = ctx.attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) return ctx.fail("axis out of range for rank " + std::to_string(rank));
  Attributes attrs;
  attrs.set("axis", axis);
  return ctx.emit("Flatten", {ctx.input(0)}, attrs);
}

Status convert_squeeze(ConvertContext& ctx) {
  const Shape& x = ctx.input_tensor(0).shape;
  const bool squeeze = ctx.op_type() == "Squeeze";
  std::vector<int64_t> axes;
  bool given = false;
  if (ctx.opset() >= 13) {
    if (ctx.has_input(1)) {
      FI_ASSIGN_OR_RETURN(axes, ctx.constant_ints(1));
      given = true;
    }
  } else if (ctx.has_attr("axes")) {
    axes = ctx.attr_ints("axes");
    given = true;
  }
  if (!given) {
    if (!squeeze) return ctx.fail("axes are required");
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] == 1) axes.push_back(static_cast<int64_t>(i));
  }
  const int64_t rank = static_cast<int64_t>(x.size() + (squeeze ? 0 : axes.size()));
  FI_ASSIGN_OR_RETURN(axes, resolve_axes(ctx, axes, rank));
  Attributes attrs;
  attrs.set("axes", axes);
  return ctx.emit(ctx.op_type(), {ctx.input(0)}, attrs);
}

Status convert_transpose(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  std::vector<int64_t> reversed(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) reversed[i] = rank - 1 - i;
  Attributes attrs;
  attrs.set("perm", ctx.attr_ints("perm", reversed));
  return ctx.emit("Transpose", {ctx.input(0)}, attrs);
}

Status convert_expand(ConvertContext& ctx) {
  FI_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ctx.constant_ints(1));
  Attributes attrs;
  attrs.set("shape", shape);
  return ctx.emit("Expand", {ctx.input(0)}, attrs);
}

Status convert_tile(ConvertContext& ctx) {
  FI_ASSIGN_OR_RETURN(std::vector<int64_t> repeats, ctx.constant_ints(1));
  Attributes attrs;
  attrs.set("repeats", repeats);
  return ctx.emit("Tile", {ctx.input(0)}, attrs);
}

Status convert_shape(ConvertContext& ctx) {
  const Shape& x = ctx.input_tensor(0).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  const int64_t start = clamp(ctx.attr_int("start", 0)), end = clamp(ctx.attr_int("end", rank));
  const std::vector<int64_t> dims(x.begin() + start, x.begin() + std::max(start, end));
  return ctx.alias_output(0, ctx.add_constant(DType::kInt64, {static_cast<int64_t>(dims.size())}, dims.data()));
}

Status convert_size(ConvertContext& ctx) {
  const int64_t n = num_elements(ctx.input_tensor(0).shape);
  return ctx.alias_output(0, ctx.add_constant(DType::kInt64, {}, &n));
}

Status convert_constant_of_shape(ConvertContext& ctx) {
  FI_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ctx.constant_ints(0));
  Attributes attrs;
  attrs.set("shape", shape);
  attrs.set("dtype", static_cast<int64_t>(DType::kFloat32));
  attrs.set("value", 0.f);
  if (ctx.has_attr("value")) {
    FI_ASSIGN_OR_RETURN(HostTensor v, ctx.attr_tensor("value"));
    if (v.numel() != 1) return ctx.fail("value must hold one element");
    attrs.set("dtype", static_cast<int64_t>(v.dtype));
    dispatch_dtype(v.dtype, [&]<class T>() {
      if constexpr (std::is_same_v<T, float>)
        attrs.set("value", v.as<float>()[0]);
      else
        attrs.set("value", static_cast<int64_t>(v.as<T>()[0]));
    });
  }
  return ctx.emit("ConstantOfShape", {}, attrs);
}

Status convert_range(ConvertContext& ctx) {
  for (int i = 0; i < 3; ++i) FI_RETURN_IF_ERROR(ctx.constant_input(i).status());
  ctx.ignore_attrs({"stash_type"});  // Range-27: accumulation precision of float16/bfloat16, which the IR lacks
  return ctx.emit("Range", {ctx.input(0), ctx.input(1), ctx.input(2)}, {});
}

constexpr OnnxConverter kConverters[] = {
    {"Reshape", 7, 28, convert_reshape},     {"Flatten", 7, 28, convert_flatten},
    {"Squeeze", 7, 28, convert_squeeze},     {"Unsqueeze", 7, 28, convert_squeeze},
    {"Transpose", 7, 28, convert_transpose}, {"Expand", 8, 28, convert_expand},
    {"Tile", 7, 28, convert_tile},           {"Shape", 7, 28, convert_shape},
    {"Size", 7, 28, convert_size},           {"ConstantOfShape", 9, 28, convert_constant_of_shape},
    {"Range", 11, 28, convert_range},
};

}  // namespace

std::span<const OnnxConverter> shape_converters() { return kConverters; }

}  // namespace fusedinf::importer
