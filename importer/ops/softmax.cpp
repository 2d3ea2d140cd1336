// ONNX Softmax/LogSoftmax -> IR: opsets < 13 flatten the dims from 'axis' (default 1) on,
// opsets >= 13 take one axis (default -1). The IR gets a non-negative axis and coerce_2d.
#include "engine/shape.h"
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status convert_softmax(ConvertContext& ctx) {
  const bool legacy = ctx.opset() < 13;
  const int64_t rank = static_cast<int64_t>(ctx.input_tensor(0).shape.size());
  const int64_t axis = normalize_axis(ctx.attr_int("axis", legacy ? 1 : -1), std::max<int64_t>(rank, 1));
  if (axis < 0) return ctx.fail("axis is out of range for rank " + std::to_string(rank));
  Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("coerce_2d", static_cast<int64_t>(legacy));
  return ctx.emit(ctx.op_type(), {ctx.input(0)}, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"Softmax", 7, 28, convert_softmax},
    {"LogSoftmax", 7, 28, convert_softmax},
};

}  // namespace

std::span<const OnnxConverter> softmax_converters() { return kConverters; }

}  // namespace fusedinf::importer
