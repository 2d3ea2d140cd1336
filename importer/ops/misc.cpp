// Ops the importer removes or turns into constants: Identity, Dropout (inference), Constant;
// and If, listed here for its opset range but inlined by the importer core (if_inline.cpp).
#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status convert_identity(ConvertContext& ctx) { return ctx.alias_output(0, ctx.input(0)); }

Status convert_dropout(ConvertContext& ctx) {
  // Inference: the output is the input. A requested mask or training mode is refused.
  if (ctx.num_outputs() > 1) return ctx.fail("the mask output is not supported");
  if (ctx.has_input(2)) {
    FI_ASSIGN_OR_RETURN(ConstTensorView training, ctx.constant_input(2));
    if (training.dtype != DType::kBool || training.numel() != 1 || training.as<bool>()[0])
      return ctx.fail("training_mode must be a constant false");
  }
  ctx.ignore_attrs({"ratio", "seed"});  // inference drops nothing
  return ctx.alias_output(0, ctx.input(0));
}

Status convert_constant(ConvertContext& ctx) {
  for (const std::string& name : ctx.attr_names()) {
    if (name == "value") {
      FI_ASSIGN_OR_RETURN(HostTensor t, ctx.attr_tensor("value"));
      return ctx.alias_output(0, ctx.add_constant(t.dtype, t.shape, t.bytes.data()));
    }
    if (name == "value_float") {
      const float v = ctx.attr_float(name, 0.f);
      return ctx.alias_output(0, ctx.add_constant(DType::kFloat32, {}, &v));
    }
    if (name == "value_floats") {
      const std::vector<float> v = ctx.attr_floats(name);
      return ctx.alias_output(0, ctx.add_constant(DType::kFloat32, {static_cast<int64_t>(v.size())}, v.data()));
    }
    if (name == "value_int") {
      const int64_t v = ctx.attr_int(name, 0);
      return ctx.alias_output(0, ctx.add_constant(DType::kInt64, {}, &v));
    }
    if (name == "value_ints") {
      const std::vector<int64_t> v = ctx.attr_ints(name);
      return ctx.alias_output(0, ctx.add_constant(DType::kInt64, {static_cast<int64_t>(v.size())}, v.data()));
    }
    return ctx.fail("attribute '" + name + "' is not supported");
  }
  return ctx.fail("has no value attribute");
}

// convert_node hands If to inline_if (it needs the node's GRAPH attributes and the importer's
// state); this converter is never reached through it.
Status convert_if(ConvertContext& ctx) { return ctx.fail("If is inlined by the importer core, not converted"); }

constexpr OnnxConverter kMiscConverters[] = {
    {"Identity", 7, 28, convert_identity},
    {"Dropout", 7, 28, convert_dropout},
    {"Constant", 7, 28, convert_constant},
    {"If", 7, 28, convert_if},
};

}  // namespace

std::span<const OnnxConverter> misc_converters() { return kMiscConverters; }

}  // namespace fusedinf::importer
