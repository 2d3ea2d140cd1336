// ONNX Resize (opsets 11+) and Upsample (7-9) -> IR Resize with explicit sizes and scales.
// Output size = floor(input * scale); with sizes given, scale = size / input. Upsample is
// Resize with asymmetric coordinates and floor for nearest. Resize-10, cubic mode,
// tf_crop_and_resize, antialias, axes and keep_aspect_ratio_policy are refused.
#include <cmath>

#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status emit_resize(ConvertContext& ctx, std::vector<float> scales, std::vector<int64_t> sizes, Attributes attrs) {
  const Shape& x = ctx.input_tensor(0).shape;
  if (!sizes.empty()) {
    if (sizes.size() != x.size()) return ctx.fail("sizes must have one entry per dimension");
    scales.clear();
    for (size_t d = 0; d < x.size(); ++d) {
      if (x[d] == 0) return ctx.fail("cannot resize an empty dimension");
      scales.push_back(static_cast<float>(sizes[d]) / static_cast<float>(x[d]));
    }
  } else {
    if (scales.size() != x.size()) return ctx.fail("scales must have one entry per dimension");
    for (size_t d = 0; d < x.size(); ++d) {
      if (!(scales[d] > 0.f)) return ctx.fail("scales must be positive");
      sizes.push_back(static_cast<int64_t>(std::floor(static_cast<double>(x[d]) * scales[d])));
    }
  }
  attrs.set("scales", scales);
  attrs.set("sizes", sizes);
  return ctx.emit("Resize", {ctx.input(0)}, attrs);
}

Result<std::vector<float>> float_values(const ConvertContext& ctx, int i) {
  FI_ASSIGN_OR_RETURN(ConstTensorView v, ctx.constant_input(i));
  if (v.dtype != DType::kFloat32) return ctx.fail("scales must be float32");
  return std::vector<float>(v.as<float>(), v.as<float>() + v.numel());
}

Status convert_resize(ConvertContext& ctx) {
  const std::string mode = ctx.attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear") return ctx.fail("mode '" + mode + "' is not supported");
  if (ctx.attr_int("antialias", 0) != 0) return ctx.fail("antialias is not supported");
  if (ctx.has_attr("axes")) return ctx.fail("the axes attribute is not supported");
  if (ctx.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch")
    return ctx.fail("keep_aspect_ratio_policy other than stretch is not supported");
  if (ctx.attr_int("exclude_outside", 0) != 0) return ctx.fail("exclude_outside is not supported");
  // Used only by mode cubic and by coordinate_transformation_mode tf_crop_and_resize, which
  // are refused (the latter by shape inference).
  ctx.ignore_attrs({"cubic_coeff_a", "extrapolation_value"});
  Attributes attrs;
  attrs.set("mode", mode);
  attrs.set("coordinate_transformation_mode", ctx.attr_string("coordinate_transformation_mode", "half_pixel"));
  attrs.set("nearest_mode", ctx.attr_string("nearest_mode", "round_prefer_floor"));
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  if (ctx.has_input(3)) {
    FI_ASSIGN_OR_RETURN(sizes, ctx.constant_ints(3));
  }
  if (sizes.empty() && ctx.has_input(2)) {
    FI_ASSIGN_OR_RETURN(scales, float_values(ctx, 2));
  }
  if (sizes.empty() && scales.empty()) return ctx.fail("needs scales or sizes");
  return emit_resize(ctx, scales, sizes, attrs);
}

Status convert_upsample(ConvertContext& ctx) {
  const std::string mode = ctx.attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear") return ctx.fail("mode '" + mode + "' is not supported");
  std::vector<float> scales;
  if (ctx.opset() >= 9) {
    FI_ASSIGN_OR_RETURN(scales, float_values(ctx, 1));
  } else {
    scales = ctx.attr_floats("scales");
  }
  Attributes attrs;
  attrs.set("mode", mode);
  attrs.set("coordinate_transformation_mode", std::string("asymmetric"));
  attrs.set("nearest_mode", std::string("floor"));
  return emit_resize(ctx, scales, {}, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"Resize", 11, 21, convert_resize},
    {"Upsample", 7, 9, convert_upsample},
};

}  // namespace

std::span<const OnnxConverter> resize_converters() { return kConverters; }

}  // namespace fusedinf::importer
