// ONNX normalizations -> IR with their defaults. BatchNormalization is inference only:
// training_mode, extra outputs and spatial=0 are refused.
#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status convert_batchnorm(ConvertContext& ctx) {
  if (ctx.num_outputs() > 1) return ctx.fail("only the inference form (one output) is supported");
  if (ctx.attr_int("training_mode", 0) != 0) return ctx.fail("training_mode is not supported");
  if (ctx.attr_int("spatial", 1) != 1) return ctx.fail("spatial=0 is not supported");
  ctx.ignore_attrs({"momentum"});  // updates running statistics in training only
  Attributes attrs;
  attrs.set("epsilon", ctx.attr_float("epsilon", 1e-5f));
  return ctx.emit("BatchNormalization", {ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4)}, attrs);
}

Status convert_instancenorm(ConvertContext& ctx) {
  Attributes attrs;
  attrs.set("epsilon", ctx.attr_float("epsilon", 1e-5f));
  return ctx.emit("InstanceNormalization", {ctx.input(0), ctx.input(1), ctx.input(2)}, attrs);
}

Status convert_layernorm(ConvertContext& ctx) {
  if (ctx.attr_int("stash_type", 1) != 1) return ctx.fail("stash_type other than float32 is not supported");
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  const int64_t axis = normalize_axis(ctx.attr_int("axis", -1), rank);
  if (axis < 0) return ctx.fail("axis is out of range for rank " + std::to_string(rank));
  Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("epsilon", ctx.attr_float("epsilon", 1e-5f));
  std::vector<int> inputs = {ctx.input(0), ctx.input(1)};
  if (ctx.has_input(2)) inputs.push_back(ctx.input(2));
  return ctx.emit("LayerNormalization", inputs, attrs);
}

Status convert_lrn(ConvertContext& ctx) {
  if (!ctx.has_attr("size")) return ctx.fail("size is required");
  Attributes attrs;
  attrs.set("alpha", ctx.attr_float("alpha", 1e-4f));
  attrs.set("beta", ctx.attr_float("beta", 0.75f));
  attrs.set("bias", ctx.attr_float("bias", 1.f));
  attrs.set("size", ctx.attr_int("size", 1));
  return ctx.emit("LRN", {ctx.input(0)}, attrs);
}

// GroupNormalization: opset 18 has scale and bias per group ([num_groups]), opset 21 per
// channel ([C]); the IR has them per channel, so opset 18's are gathered to channels
// (channel c takes group c / (C / num_groups)). stash_type (21) other than float32 is refused.
Status convert_groupnorm(ConvertContext& ctx) {
  const Shape& x = ctx.input_tensor(0).shape;
  if (x.size() < 2) return ctx.fail("X must have rank >= 2");
  if (!ctx.has_attr("num_groups")) return ctx.fail("num_groups is required");
  const int64_t groups = ctx.attr_int("num_groups", 1);
  if (groups < 1 || x[1] % groups != 0)
    return ctx.fail("num_groups " + std::to_string(groups) + " must divide the channels " + std::to_string(x[1]));
  if (ctx.attr_int("stash_type", 1) != 1) return ctx.fail("stash_type other than float32 is not supported");
  Attributes attrs;
  attrs.set("num_groups", groups);
  attrs.set("epsilon", ctx.attr_float("epsilon", 1e-5f));
  int scale = ctx.input(1), bias = ctx.input(2);
  if (ctx.opset() < 21) {
    for (int i : {1, 2})
      if (ctx.input_tensor(i).shape != Shape{groups})
        return ctx.fail("at opset " + std::to_string(ctx.opset()) + " scale and bias must be [num_groups] = [" +
                        std::to_string(groups) + "], input " + std::to_string(i) + " is " +
                        shape_to_string(ctx.input_tensor(i).shape));
    std::vector<int64_t> group_of(x[1]);
    for (int64_t c = 0; c < x[1]; ++c) group_of[c] = c / (x[1] / groups);
    const int index = ctx.add_constant(DType::kInt64, {x[1]}, group_of.data());
    Attributes axis0;
    axis0.set("axis", int64_t{0});
    FI_ASSIGN_OR_RETURN(scale, ctx.emit_intermediate("Gather", {scale, index}, axis0));
    FI_ASSIGN_OR_RETURN(bias, ctx.emit_intermediate("Gather", {bias, index}, axis0));
  }
  return ctx.emit("GroupNormalization", {ctx.input(0), scale, bias}, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"BatchNormalization", 7, 28, convert_batchnorm},  {"InstanceNormalization", 7, 28, convert_instancenorm},
    {"LayerNormalization", 17, 28, convert_layernorm}, {"LRN", 7, 28, convert_lrn},
    {"GroupNormalization", 18, 28, convert_groupnorm},
};

}  // namespace

std::span<const OnnxConverter> normalization_converters() { return kConverters; }

}  // namespace fusedinf::importer
