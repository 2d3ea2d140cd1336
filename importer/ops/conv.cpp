// ONNX Conv and ConvTranspose -> IR with explicit kernel_shape, strides, dilations, pads,
// group (and output_padding). ConvTranspose's output_shape becomes pads, per the spec:
//   total = s*(in-1) + output_padding + d*(k-1) + 1 - output_shape
//   SAME_UPPER: begin = total/2, end = total - begin; otherwise end = total/2, begin = the rest.
#include "importer/ops/spatial_attrs.h"

namespace fusedinf::importer {

namespace {

Status check_known_attrs(const ConvertContext& ctx, std::initializer_list<const char*> known) {
  for (const std::string& name : ctx.attr_names()) {
    bool ok = false;
    for (const char* k : known) ok = ok || name == k;
    if (!ok) return ctx.fail("attribute '" + name + "' is not supported");
  }
  return Status::ok();
}

Status convert_conv(ConvertContext& ctx) {
  FI_RETURN_IF_ERROR(check_known_attrs(ctx, {"kernel_shape", "strides", "dilations", "pads", "auto_pad", "group"}));
  const Shape& w = ctx.input_tensor(1).shape;
  const Shape& x = ctx.input_tensor(0).shape;
  if (w.size() < 3) return ctx.fail("W must have rank >= 3");
  const std::vector<int64_t> kernel = ctx.attr_ints("kernel_shape", std::vector<int64_t>(w.begin() + 2, w.end()));
  FI_ASSIGN_OR_RETURN(SpatialAttrs s, read_spatial_attrs(ctx, kernel, x, true));
  Attributes attrs;
  write_spatial_attrs(s, attrs);
  attrs.set("group", ctx.attr_int("group", 1));
  std::vector<int> inputs = {ctx.input(0), ctx.input(1)};
  if (ctx.has_input(2)) inputs.push_back(ctx.input(2));
  return ctx.emit("Conv", inputs, attrs);
}

Status convert_conv_transpose(ConvertContext& ctx) {
  FI_RETURN_IF_ERROR(check_known_attrs(
      ctx, {"kernel_shape", "strides", "dilations", "pads", "auto_pad", "group", "output_padding", "output_shape"}));
  const Shape& w = ctx.input_tensor(1).shape;
  const Shape& x = ctx.input_tensor(0).shape;
  if (w.size() < 3 || x.size() != w.size()) return ctx.fail("X and W must have the same rank >= 3");
  const size_t n = w.size() - 2;
  const std::vector<int64_t> kernel = ctx.attr_ints("kernel_shape", std::vector<int64_t>(w.begin() + 2, w.end()));
  SpatialAttrs s;
  s.kernel = kernel;
  s.strides = ctx.attr_ints("strides", std::vector<int64_t>(n, 1));
  s.dilations = ctx.attr_ints("dilations", std::vector<int64_t>(n, 1));
  s.pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * n, 0));
  std::vector<int64_t> output_padding = ctx.attr_ints("output_padding", std::vector<int64_t>(n, 0));
  if (s.kernel.size() != n || s.strides.size() != n || s.dilations.size() != n || s.pads.size() != 2 * n ||
      output_padding.size() != n)
    return ctx.fail("attribute lengths do not match " + std::to_string(n) + " spatial dims");
  const std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  std::vector<int64_t> output_shape = ctx.attr_ints("output_shape");
  if (output_shape.size() == n + 2) output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (!output_shape.empty() && output_shape.size() != n) return ctx.fail("output_shape has the wrong length");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (output_shape.empty())
      for (size_t i = 0; i < n; ++i) output_shape.push_back(x[i + 2] * s.strides[i]);
  } else if (auto_pad == "VALID") {
    std::fill(s.pads.begin(), s.pads.end(), 0);
  } else if (auto_pad != "NOTSET") {
    return ctx.fail("auto_pad '" + auto_pad + "' is not supported");
  }
  if (!output_shape.empty()) {
    for (size_t i = 0; i < n; ++i) {
      const int64_t total =
          s.strides[i] * (x[i + 2] - 1) + output_padding[i] + s.dilations[i] * (s.kernel[i] - 1) + 1 - output_shape[i];
      if (total < 0) return ctx.fail("output_shape larger than the full output is not supported");
      const int64_t half = total / 2;
      s.pads[i] = auto_pad == "SAME_UPPER" ? half : total - half;
      s.pads[i + n] = auto_pad == "SAME_UPPER" ? total - half : half;
    }
  }
  Attributes attrs;
  write_spatial_attrs(s, attrs);
  attrs.set("group", ctx.attr_int("group", 1));
  attrs.set("output_padding", output_padding);
  std::vector<int> inputs = {ctx.input(0), ctx.input(1)};
  if (ctx.has_input(2)) inputs.push_back(ctx.input(2));
  return ctx.emit("ConvTranspose", inputs, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"Conv", 7, 28, convert_conv},
    {"ConvTranspose", 7, 28, convert_conv_transpose},
};

}  // namespace

std::span<const OnnxConverter> conv_converters() { return kConverters; }

}  // namespace fusedinf::importer
