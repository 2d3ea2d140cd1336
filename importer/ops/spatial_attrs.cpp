#include "importer/ops/spatial_attrs.h"

namespace fusedinf::importer {

Result<SpatialAttrs> read_spatial_attrs(const ConvertContext& ctx, std::vector<int64_t> kernel,
                                        const Shape& input_shape, bool allow_dilations) {
  const size_t n = kernel.size();
  if (input_shape.size() != n + 2)
    return ctx.fail("kernel rank does not match the input " + shape_to_string(input_shape));
  SpatialAttrs s;
  s.kernel = std::move(kernel);
  s.strides = ctx.attr_ints("strides", std::vector<int64_t>(n, 1));
  s.dilations = ctx.attr_ints("dilations", std::vector<int64_t>(n, 1));
  s.pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * n, 0));
  if (!allow_dilations && ctx.has_attr("dilations")) return ctx.fail("dilations are not supported at this opset");
  if (s.strides.size() != n || s.dilations.size() != n || s.pads.size() != 2 * n)
    return ctx.fail("strides/dilations/pads have the wrong length for " + std::to_string(n) + " spatial dims");
  for (size_t i = 0; i < n; ++i)
    if (s.strides[i] < 1 || s.dilations[i] < 1) return ctx.fail("strides and dilations must be >= 1");
  const std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "VALID") {
    std::fill(s.pads.begin(), s.pads.end(), 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      const int64_t in = input_shape[i + 2];
      const int64_t out = (in + s.strides[i] - 1) / s.strides[i];
      const int64_t total =
          std::max<int64_t>(0, (out - 1) * s.strides[i] + s.dilations[i] * (s.kernel[i] - 1) + 1 - in);
      const int64_t small = total / 2, large = total - small;
      s.pads[i] = auto_pad == "SAME_UPPER" ? small : large;
      s.pads[i + n] = auto_pad == "SAME_UPPER" ? large : small;
    }
  } else if (auto_pad != "NOTSET") {
    return ctx.fail("auto_pad '" + auto_pad + "' is not supported");
  }
  return s;
}

void write_spatial_attrs(const SpatialAttrs& s, Attributes& attrs) {
  attrs.set("kernel_shape", s.kernel);
  attrs.set("strides", s.strides);
  attrs.set("dilations", s.dilations);
  attrs.set("pads", s.pads);
}

}  // namespace fusedinf::importer
