// ONNX Resize (opsets 11+) and Upsample (7-9) -> IR Resize with explicit sizes and scales.
// Output size = floor(input * scale); with sizes given, scale = size / input. Upsample is
// Resize with asymmetric coordinates and floor for nearest. Opset 18's axes (scales and
// sizes for some dims; the others keep scale 1) and keep_aspect_ratio_policy (one scale for
// the listed dims, sizes rounded half up) become full-rank sizes and scales here.
// tf_crop_and_resize takes a constant roi (starts then ends of the listed dims) and sizes;
// with scales it is refused, as the spec's output size, floor(n * (end - start) * scale),
// and onnxruntime's, floor(n * scale), disagree. Mode cubic carries cubic_coeff_a and
// exclude_outside. Resize-10 and antialias are refused.
#include <algorithm>
#include <cmath>

#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

// Full-rank sizes and scales; with both given (keep_aspect_ratio_policy) they are kept.
Status emit_resize(ConvertContext& ctx, std::vector<float> scales, std::vector<int64_t> sizes, Attributes attrs) {
  const Shape& x = ctx.input_tensor(0).shape;
  if (!sizes.empty() && !scales.empty()) {
    if (sizes.size() != x.size() || scales.size() != x.size()) return ctx.fail("sizes/scales must cover every dim");
  } else if (!sizes.empty()) {
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
      const double size = std::floor(static_cast<double>(x[d]) * scales[d]);
      if (!(size <= static_cast<double>(kMaxTensorElements)))  // also inf: no UB in the cast below
        return ctx.fail("scales give an output dim over the limit of " + std::to_string(kMaxTensorElements));
      sizes.push_back(static_cast<int64_t>(size));
    }
  }
  attrs.set("scales", scales);
  attrs.set("sizes", sizes);
  return ctx.emit("Resize", {ctx.input(0)}, attrs);
}

Result<std::vector<float>> float_values(const ConvertContext& ctx, int i) {
  FI_ASSIGN_OR_RETURN(ConstTensorView v, ctx.constant_input(i));
  if (v.dtype != DType::kFloat32) return ctx.fail("input " + std::to_string(i) + " (scales or roi) must be float32");
  return std::vector<float>(v.as<float>(), v.as<float>() + v.numel());
}

Status convert_resize(ConvertContext& ctx) {
  const std::string mode = ctx.attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic") return ctx.fail("mode '" + mode + "' is not supported");
  if (ctx.attr_int("antialias", 0) != 0) return ctx.fail("antialias is not supported");
  const int64_t exclude_outside = ctx.attr_int("exclude_outside", 0) != 0 ? 1 : 0;
  const float cubic_coeff_a = ctx.attr_float("cubic_coeff_a", -0.75f);
  const Shape& x = ctx.input_tensor(0).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  std::vector<int64_t> axes;
  for (int64_t a : ctx.attr_ints("axes")) {
    const int64_t axis = normalize_axis(a, rank);
    if (axis < 0 || std::find(axes.begin(), axes.end(), axis) != axes.end())
      return ctx.fail("axes must be distinct and in range for rank " + std::to_string(rank));
    axes.push_back(axis);
  }
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  const std::string coord = ctx.attr_string("coordinate_transformation_mode", "half_pixel");
  const std::string policy = ctx.attr_string("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return ctx.fail("keep_aspect_ratio_policy '" + policy + "' is not one of stretch, not_larger, not_smaller");
  Attributes attrs;
  attrs.set("mode", mode);
  attrs.set("coordinate_transformation_mode", coord);
  attrs.set("nearest_mode", ctx.attr_string("nearest_mode", "round_prefer_floor"));
  if (mode == "cubic") {
    attrs.set("cubic_coeff_a", cubic_coeff_a);
    attrs.set("exclude_outside", exclude_outside);
  }
  const float extrapolation = ctx.attr_float("extrapolation_value", 0.f);
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  if (ctx.has_input(3)) {
    FI_ASSIGN_OR_RETURN(sizes, ctx.constant_ints(3));
  }
  if (sizes.empty() && ctx.has_input(2)) {
    FI_ASSIGN_OR_RETURN(scales, float_values(ctx, 2));
  }
  if (sizes.empty() && scales.empty()) return ctx.fail("needs scales or sizes");
  const std::vector<int64_t> given = sizes;
  if ((!sizes.empty() ? sizes.size() : scales.size()) != axes.size())
    return ctx.fail("scales/sizes need one value per axis (" + std::to_string(axes.size()) + ")");
  if (!sizes.empty()) {  // to full rank: the dims not listed keep their size
    sizes = std::vector<int64_t>(x.begin(), x.end());
    for (size_t i = 0; i < axes.size(); ++i) sizes[axes[i]] = given[i];
  } else {
    std::vector<float> full(rank, 1.f);
    for (size_t i = 0; i < axes.size(); ++i) full[axes[i]] = scales[i];
    scales = full;
  }
  if (policy != "stretch" && !sizes.empty()) {
    // One scale for the listed dims: the smallest (not_larger) or largest (not_smaller) of
    // size / input; their sizes become round_half_up(scale * input).
    float scale = 0.f;
    for (size_t i = 0; i < axes.size(); ++i) {
      if (x[axes[i]] == 0) return ctx.fail("cannot resize an empty dimension");
      const float s = static_cast<float>(sizes[axes[i]]) / static_cast<float>(x[axes[i]]);
      scale = i == 0 ? s : (policy == "not_larger" ? std::min(scale, s) : std::max(scale, s));
    }
    scales = std::vector<float>(rank, 1.f);
    for (int64_t a : axes) {
      scales[a] = scale;
      const double size = static_cast<double>(scale) * static_cast<double>(x[a]) + 0.5;
      if (!(size >= 0 && size <= static_cast<double>(kMaxTensorElements)))
        return ctx.fail("keep_aspect_ratio_policy gives an output dim outside [0, " +
                        std::to_string(kMaxTensorElements) + "]");
      sizes[a] = static_cast<int64_t>(size);
    }
  }
  if (coord == "tf_crop_and_resize") {
    if (sizes.empty()) return ctx.fail("tf_crop_and_resize with scales is not supported (give sizes)");
    if (!ctx.has_input(1)) return ctx.fail("tf_crop_and_resize needs roi");
    FI_ASSIGN_OR_RETURN(std::vector<float> roi, float_values(ctx, 1));
    if (roi.size() != 2 * axes.size())
      return ctx.fail("roi must hold 2 * " + std::to_string(axes.size()) + " values, holds " +
                      std::to_string(roi.size()));
    std::vector<float> full(2 * rank, 0.f);
    for (int64_t d = 0; d < rank; ++d) full[rank + d] = 1.f;
    for (size_t i = 0; i < axes.size(); ++i) {
      full[axes[i]] = roi[i];
      full[rank + axes[i]] = roi[axes.size() + i];
    }
    attrs.set("roi", full);
    attrs.set("extrapolation_value", extrapolation);
  }
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
    {"Resize", 11, 28, convert_resize},  // 13, 18, 19 added dtypes, axes, policies, modes: read above
    {"Upsample", 7, 9, convert_upsample},
};

}  // namespace

std::span<const OnnxConverter> resize_converters() { return kConverters; }

}  // namespace fusedinf::importer
