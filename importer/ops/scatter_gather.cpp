// ONNX GatherND, ScatterND, ScatterElements (and Scatter, its opset 9-10 name) -> IR. Defaults: batch_dims 0,
// axis 0, reduction "none" (ScatterND/ScatterElements 16 added add/mul, 18 max/min).
#include <string>

#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status read_reduction(ConvertContext& ctx, Attributes& attrs) {
  const std::string r = ctx.attr_string("reduction", "none");
  const bool known = r == "none" || (ctx.opset() >= 16 && (r == "add" || r == "mul")) ||
                     (ctx.opset() >= 18 && (r == "max" || r == "min"));
  if (!known) return ctx.fail("reduction '" + r + "' is not defined at this opset");
  attrs.set("reduction", r);
  return Status::ok();
}

Status convert_gather_nd(ConvertContext& ctx) {
  Attributes attrs;
  attrs.set("batch_dims", ctx.attr_int("batch_dims", 0));
  return ctx.emit("GatherND", {ctx.input(0), ctx.input(1)}, attrs);
}

Status convert_scatter_nd(ConvertContext& ctx) {
  Attributes attrs;
  FI_RETURN_IF_ERROR(read_reduction(ctx, attrs));
  return ctx.emit("ScatterND", {ctx.input(0), ctx.input(1), ctx.input(2)}, attrs);
}

Status convert_scatter_elements(ConvertContext& ctx) {
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  const int64_t axis = normalize_axis(ctx.attr_int("axis", 0), rank);
  if (axis < 0) return ctx.fail("axis out of range for rank " + std::to_string(rank));
  Attributes attrs;
  attrs.set("axis", axis);
  FI_RETURN_IF_ERROR(read_reduction(ctx, attrs));
  return ctx.emit("ScatterElements", {ctx.input(0), ctx.input(1), ctx.input(2)}, attrs);
}

// Later versions (12, 13, 16, 18) added batch_dims, dtypes and reductions, read above.
constexpr OnnxConverter kConverters[] = {
    {"GatherND", 11, 28, convert_gather_nd},
    {"ScatterND", 11, 28, convert_scatter_nd},
    {"ScatterElements", 11, 28, convert_scatter_elements},
    {"Scatter", 9, 10, convert_scatter_elements},  // deprecated in 11: ScatterElements under its old name
};

}  // namespace

std::span<const OnnxConverter> scatter_gather_converters() { return kConverters; }

}  // namespace fusedinf::importer
