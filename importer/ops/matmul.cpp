// ONNX Gemm and MatMul -> IR (same names, Gemm's defaults written).
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status convert_gemm(ConvertContext& ctx) {
  Attributes attrs;
  attrs.set("alpha", ctx.attr_float("alpha", 1.f));
  attrs.set("beta", ctx.attr_float("beta", 1.f));
  attrs.set("transA", ctx.attr_int("transA", 0));
  attrs.set("transB", ctx.attr_int("transB", 0));
  for (const std::string& name : ctx.attr_names())
    if (!attrs.has(name)) return ctx.fail("attribute '" + name + "' is not supported");
  std::vector<int> inputs = {ctx.input(0), ctx.input(1)};
  if (ctx.has_input(2)) inputs.push_back(ctx.input(2));
  return ctx.emit("Gemm", inputs, attrs);
}

Status convert_matmul(ConvertContext& ctx) { return ctx.emit("MatMul", {ctx.input(0), ctx.input(1)}, {}); }

constexpr OnnxConverter kConverters[] = {
    {"Gemm", 7, 28, convert_gemm},
    {"MatMul", 7, 28, convert_matmul},
};

}  // namespace

std::span<const OnnxConverter> matmul_converters() { return kConverters; }

}  // namespace fusedinf::importer
