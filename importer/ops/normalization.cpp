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

constexpr OnnxConverter kConverters[] = {
    {"BatchNormalization", 7, 21, convert_batchnorm},
    {"InstanceNormalization", 7, 21, convert_instancenorm},
    {"LayerNormalization", 17, 21, convert_layernorm},
    {"LRN", 7, 21, convert_lrn},
};

}  // namespace

std::span<const OnnxConverter> normalization_converters() { return kConverters; }

}  // namespace fusedinf::importer
