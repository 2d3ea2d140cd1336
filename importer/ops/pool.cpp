// ONNX pooling -> IR with explicit kernel_shape, strides, dilations, pads, ceil_mode and
// count_include_pad. MaxPool's Indices output is refused.
#include "importer/ops/spatial_attrs.h"

namespace fusedinf::importer {

namespace {

Status convert_pool(ConvertContext& ctx) {
  const bool is_max = ctx.op_type() == "MaxPool";
  for (const std::string& name : ctx.attr_names()) {
    const bool known = name == "kernel_shape" || name == "strides" || name == "pads" || name == "auto_pad" ||
                       name == "ceil_mode" || (name == "dilations" && ctx.opset() >= (is_max ? 10 : 19)) ||
                       (is_max && name == "storage_order") || (!is_max && name == "count_include_pad");
    if (!known) return ctx.fail("attribute '" + name + "' is not supported");
  }
  if (ctx.num_outputs() > 1) return ctx.fail("the Indices output is not supported");
  if (!ctx.has_attr("kernel_shape")) return ctx.fail("kernel_shape is required");
  FI_ASSIGN_OR_RETURN(SpatialAttrs s,
                      read_spatial_attrs(ctx, ctx.attr_ints("kernel_shape"), ctx.input_tensor(0).shape, true));
  Attributes attrs;
  write_spatial_attrs(s, attrs);
  attrs.set("ceil_mode", ctx.attr_int("ceil_mode", 0));
  if (!is_max) attrs.set("count_include_pad", ctx.attr_int("count_include_pad", 0));
  return ctx.emit(ctx.op_type(), {ctx.input(0)}, attrs);
}

Status convert_global_pool(ConvertContext& ctx) { return ctx.emit(ctx.op_type(), {ctx.input(0)}, {}); }

constexpr OnnxConverter kConverters[] = {
    {"MaxPool", 7, 28, convert_pool},
    {"AveragePool", 7, 28, convert_pool},
    {"GlobalAveragePool", 7, 28, convert_global_pool},
    {"GlobalMaxPool", 7, 28, convert_global_pool},
};

}  // namespace

std::span<const OnnxConverter> pool_converters() { return kConverters; }

}  // namespace fusedinf::importer
