// ONNX data-movement ops -> IR with static parameters (constant inputs become attributes).
//   Slice (per the spec): for step > 0, start/end clamp to [0, dim]; for step < 0, start
//   clamps to [0, dim-1] and end to [-1, dim-1]; negative values count from the end first.
#include <algorithm>
#include <limits>

#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Result<int64_t> read_axis(const ConvertContext& ctx, int64_t fallback, int64_t rank) {
  const int64_t axis = normalize_axis(ctx.attr_int("axis", fallback), rank);
  if (axis < 0) return ctx.fail("axis out of range for rank " + std::to_string(rank));
  return axis;
}

std::vector<int> all_inputs(const ConvertContext& ctx) {
  std::vector<int> inputs;
  for (int i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.input(i));
  return inputs;
}

Status convert_concat(ConvertContext& ctx) {
  if (!ctx.has_attr("axis")) return ctx.fail("axis is required");
  FI_ASSIGN_OR_RETURN(int64_t axis, read_axis(ctx, 0, static_cast<int64_t>(ctx.input_tensor(0).shape.size())));
  Attributes attrs;
  attrs.set("axis", axis);
  return ctx.emit("Concat", all_inputs(ctx), attrs);
}

Status convert_split(ConvertContext& ctx) {
  const Shape& x = ctx.input_tensor(0).shape;
  FI_ASSIGN_OR_RETURN(int64_t axis, read_axis(ctx, 0, static_cast<int64_t>(x.size())));
  std::vector<int64_t> split;
  if (ctx.opset() >= 13 && ctx.has_input(1)) {
    FI_ASSIGN_OR_RETURN(split, ctx.constant_ints(1));
  } else if (ctx.opset() < 13) {
    split = ctx.attr_ints("split");
  }
  const int64_t parts =
      ctx.opset() >= 18 && ctx.has_attr("num_outputs") ? ctx.attr_int("num_outputs", 1) : ctx.num_outputs();
  if (split.empty()) {
    if (parts < 1) return ctx.fail("no outputs");
    const int64_t size = ctx.opset() >= 18 ? (x[axis] + parts - 1) / parts : x[axis] / parts;
    if (ctx.opset() < 18 && x[axis] % parts != 0) return ctx.fail("the axis does not split evenly");
    for (int64_t i = 0, left = x[axis]; i < parts; ++i, left -= size) split.push_back(std::min(size, left));
  }
  Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("split", split);
  return ctx.emit("Split", {ctx.input(0)}, attrs);
}

Status convert_slice(ConvertContext& ctx) {
  const Shape& x = ctx.input_tensor(0).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.attr_ints("starts");
    ends = ctx.attr_ints("ends");
    axes = ctx.attr_ints("axes");
  } else {
    FI_ASSIGN_OR_RETURN(starts, ctx.constant_ints(1));
    FI_ASSIGN_OR_RETURN(ends, ctx.constant_ints(2));
    if (ctx.has_input(3)) {
      FI_ASSIGN_OR_RETURN(axes, ctx.constant_ints(3));
    }
    if (ctx.has_input(4)) {
      FI_ASSIGN_OR_RETURN(steps, ctx.constant_ints(4));
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return ctx.fail("starts, ends, axes and steps differ in length");
  std::vector<int64_t> s(rank, 0), e(x.begin(), x.end()), st(rank, 1);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], rank);
    if (a < 0 || seen[a]) return ctx.fail("bad or repeated axis " + std::to_string(axes[i]));
    seen[a] = true;
    const int64_t dim = x[a], step = steps[i];
    if (step == 0) return ctx.fail("step 0");
    auto from_end = [&](int64_t v) { return v < 0 ? (v < -dim ? -dim - 1 : v) + dim : v; };
    int64_t start = from_end(std::max(starts[i], std::numeric_limits<int64_t>::min() / 2));
    int64_t end = from_end(std::max(ends[i], std::numeric_limits<int64_t>::min() / 2));
    if (dim == 0) {  // nothing to select, whatever the step
      start = end = 0;
    } else if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    s[a] = start, e[a] = end, st[a] = step;
  }
  Attributes attrs;
  attrs.set("starts", s);
  attrs.set("ends", e);
  attrs.set("steps", st);
  return ctx.emit("Slice", {ctx.input(0)}, attrs);
}

Status convert_gather(ConvertContext& ctx) {
  FI_ASSIGN_OR_RETURN(int64_t axis, read_axis(ctx, 0, static_cast<int64_t>(ctx.input_tensor(0).shape.size())));
  Attributes attrs;
  attrs.set("axis", axis);
  return ctx.emit("Gather", {ctx.input(0), ctx.input(1)}, attrs);
}

Status convert_gather_elements(ConvertContext& ctx) {
  FI_ASSIGN_OR_RETURN(int64_t axis, read_axis(ctx, 0, static_cast<int64_t>(ctx.input_tensor(0).shape.size())));
  Attributes attrs;
  attrs.set("axis", axis);
  return ctx.emit("GatherElements", {ctx.input(0), ctx.input(1)}, attrs);
}

// k, the diagonal offset, is an optional scalar input; fusedinf needs it constant.
Status convert_trilu(ConvertContext& ctx) {
  Attributes attrs;
  attrs.set("upper", ctx.attr_int("upper", 1));
  int64_t k = 0;
  if (ctx.has_input(1)) {
    FI_ASSIGN_OR_RETURN(std::vector<int64_t> values, ctx.constant_ints(1));
    if (values.size() != 1) return ctx.fail("k must hold one value, holds " + std::to_string(values.size()));
    k = values[0];
  }
  attrs.set("k", k);
  return ctx.emit("Trilu", {ctx.input(0)}, attrs);
}

Status convert_pad(ConvertContext& ctx) {
  const Shape& x = ctx.input_tensor(0).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  const std::string mode = ctx.attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.fail("mode '" + mode + "' is not supported");
  std::vector<int64_t> pads;
  Attributes attrs;
  const DType dtype = ctx.input_tensor(0).dtype;
  if (ctx.opset() < 11) {
    pads = ctx.attr_ints("pads");
    attrs.set("value", ctx.attr_float("value", 0.f));
  } else {
    FI_ASSIGN_OR_RETURN(pads, ctx.constant_ints(1));
    if (dtype == DType::kFloat32)
      attrs.set("value", 0.f);
    else
      attrs.set("value", int64_t{0});
    if (ctx.has_input(2)) {
      FI_ASSIGN_OR_RETURN(ConstTensorView v, ctx.constant_input(2));
      if (v.numel() != 1 || v.dtype != dtype) return ctx.fail("constant_value must be one value of the input's dtype");
      dispatch_dtype(v.dtype, [&]<class T>() {
        if constexpr (std::is_same_v<T, float>)
          attrs.set("value", v.as<float>()[0]);
        else
          attrs.set("value", static_cast<int64_t>(v.as<T>()[0]));
      });
    }
    if (ctx.has_input(3)) {  // opset 18: pads only for the listed axes
      FI_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.constant_ints(3));
      if (pads.size() != 2 * axes.size()) return ctx.fail("pads do not match axes");
      std::vector<int64_t> full(2 * rank, 0);
      std::vector<bool> seen(rank, false);
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t a = normalize_axis(axes[i], rank);
        if (a < 0 || seen[a]) return ctx.fail("axis " + std::to_string(axes[i]) + " out of range or repeated");
        seen[a] = true;
        full[a] = pads[i];
        full[a + rank] = pads[i + axes.size()];
      }
      pads = full;
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank) return ctx.fail("pads need two entries per dimension");
  if (dtype != DType::kFloat32 && ctx.opset() < 11) return ctx.fail("only float32 Pad is supported at this opset");
  attrs.set("pads", pads);
  attrs.set("mode", mode);
  return ctx.emit("Pad", {ctx.input(0)}, attrs);
}

Status convert_depth_space(ConvertContext& ctx) {
  if (!ctx.has_attr("blocksize")) return ctx.fail("blocksize is required");
  Attributes attrs;
  attrs.set("blocksize", ctx.attr_int("blocksize", 1));
  if (ctx.op_type() == "DepthToSpace") {
    const std::string mode = ctx.attr_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") return ctx.fail("mode '" + mode + "' is not supported");
    attrs.set("mode", mode);
  } else if (ctx.attr_string("mode", "DCR") != "DCR") {  // SpaceToDepth-28 added mode; DCR is the older order
    return ctx.fail("mode '" + ctx.attr_string("mode", "DCR") + "' is not supported (only DCR)");
  }
  return ctx.emit(ctx.op_type(), {ctx.input(0)}, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"Concat", 7, 28, convert_concat},
    {"Split", 7, 28, convert_split},
    {"Slice", 7, 28, convert_slice},
    {"Gather", 7, 28, convert_gather},
    {"GatherElements", 11, 28, convert_gather_elements},
    {"Trilu", 14, 28, convert_trilu},
    {"Pad", 7, 28, convert_pad},
    {"DepthToSpace", 7, 28, convert_depth_space},
    {"SpaceToDepth", 7, 28, convert_depth_space},
};

}  // namespace

std::span<const OnnxConverter> data_movement_converters() { return kConverters; }

}  // namespace fusedinf::importer
