// Reference kernels of the fused epilogue ops (engine/epilogue.h): the base op's kernel, then
// y = activation(y + addend) element by element, the addend broadcast to y.
#include "engine/epilogue.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

namespace {

Status run_fused(const KernelArgs& args) {
  const std::string_view base_op = fused_base_op(args.node.op);
  const CpuKernel* base = find_cpu_kernel(base_op);
  if (!base) return Status::error("no CPU kernel for base op '" + std::string(base_op) + "'");
  size_t base_count = args.inputs.size() - 1;
  while (base_count > 0 && !args.inputs[base_count - 1].present()) --base_count;
  FI_RETURN_IF_ERROR(
      base->run(KernelArgs{args.node, args.inputs.subspan(0, base_count), args.outputs, args.workspace}));

  const TensorView& y = args.outputs[0];
  const ConstTensorView& addend = args.inputs.back();
  const EpilogueParams params = epilogue_from_attrs(args.node.attrs);
  float* out = y.as<float>();
  const int64_t n = y.numel();
  if (!addend.present()) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply_activation(params, out[i]);
    return Status::ok();
  }
  // The addend's dims align to y's last dims (numpy broadcasting).
  const BroadcastIndex addend_index(addend.shape, y.shape);
  const float* a = addend.as<float>();
  for (int64_t i = 0; i < n; ++i) out[i] = apply_activation(params, out[i] + a[addend_index(i)]);
  return Status::ok();
}

uint64_t fused_workspace(const Node& node, std::span<const Shape> inputs, std::span<const Shape> outputs) {
  const CpuKernel* base = find_cpu_kernel(fused_base_op(node.op));
  return base && base->workspace ? base->workspace(node, inputs.subspan(0, inputs.size() - 1), outputs) : 0;
}

constexpr CpuKernel kFusedKernels[] = {
    {"FusedConv", run_fused, fused_workspace},
    {"FusedGemm", run_fused},
    {"FusedMatMul", run_fused},
};

}  // namespace

std::span<const CpuKernel> fused_kernels() { return kFusedKernels; }

}  // namespace fusedinf::cpu
