// Shape inference of the fused epilogue ops (engine/epilogue.h): the base op's inference on
// the base inputs, then checks of the addend and the activation.
#include <string>

#include "engine/epilogue.h"
#include "engine/op_def.h"

namespace fusedinf {

namespace {

Status infer_fused(const Node& node, std::span<const ValueInfo> inputs, std::span<ValueInfo> outputs) {
  const OpDef* base = find_op_def(fused_base_op(node.op));
  if (!base) return Status::error("no base op for '" + node.op + "'");
  if (static_cast<int>(inputs.size()) != base->max_inputs + 1)
    return Status::error("expects " + std::to_string(base->max_inputs + 1) + " inputs (base inputs, then addend)");
  int base_count = base->max_inputs;
  while (base_count > 0 && !inputs[base_count - 1].present) --base_count;
  if (base_count < base->min_inputs) return Status::error("missing base inputs");
  for (int i = 0; i < base_count; ++i)
    if (!inputs[i].present) return Status::error("base input " + std::to_string(i) + " is absent");
  FI_RETURN_IF_ERROR(base->infer(node, inputs.subspan(0, base_count), outputs));
  const ValueInfo& addend = inputs[base->max_inputs];
  if (addend.present) {
    const Shape& y = outputs[0].shape;
    if (addend.dtype != DType::kFloat32 || addend.shape.size() > y.size())
      return Status::error("addend " + shape_to_string(addend.shape) + " does not broadcast to " + shape_to_string(y));
    const size_t offset = y.size() - addend.shape.size();
    for (size_t i = 0; i < addend.shape.size(); ++i)
      if (addend.shape[i] != 1 && addend.shape[i] != y[offset + i])
        return Status::error("addend " + shape_to_string(addend.shape) + " does not broadcast to " +
                             shape_to_string(y));
  }
  if (outputs[0].dtype != DType::kFloat32) return Status::error("fused epilogues are fp32 only");
  const std::string activation = node.attrs.get_string("activation", "none");
  if (!activation_from_name(activation)) return Status::error("unknown activation '" + activation + "'");
  return Status::ok();
}

constexpr OpDef kFusedOps[] = {
    {"FusedConv", 4, 4, 1, 1, infer_fused},
    {"FusedGemm", 4, 4, 1, 1, infer_fused},
    {"FusedMatMul", 3, 3, 1, 1, infer_fused},
};

}  // namespace

std::span<const OpDef> fused_op_defs() { return kFusedOps; }

}  // namespace fusedinf
