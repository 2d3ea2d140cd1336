// Fast Gemm, MatMul, FusedGemm and FusedMatMul for the CPU backend through OpenBLAS's sgemm
// (the reference kernels in matmul.cpp and fused.cpp stay the oracle; the backend harness
// tests these against them):
//   Gemm:   Y = alpha * op(A) op(B) (sgemm, beta 0), then Y += beta * C per element, C broadcast
//           to Y: the reference's alpha * acc + beta * c, rounded the same way after the sum;
//   MatMul: one sgemm per batch matrix (numpy broadcasting of the leading dims, 1-d operands
//           promoted), or one for all when B has no batch and A's batch folds into M;
//   fused:  then y = activation(y + addend), the addend broadcast to y.
// alpha == 0 and empty sums (k == 0) go to the reference kernels: sgemm may skip the product
// where the reference computes 0 * (A B), NaN for an infinite product.
#include <cblas.h>

#include <span>

#include "engine/epilogue.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/epilogue_rows.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// y[i] += scale * t[i], t broadcast to y: the same shape, a row along y's last dim, or any
// broadcast (BroadcastIndex).
void add_term(const TensorView& y, const ConstTensorView& t, float scale) {
  float* out = y.as<float>();
  const float* in = t.as<float>();
  const int64_t numel = y.numel();
  if (t.shape == y.shape) {
    for (int64_t i = 0; i < numel; ++i) out[i] += scale * in[i];
    return;
  }
  const int64_t n = y.shape.empty() ? 1 : y.shape.back();
  if (!t.shape.empty() && t.shape.back() == n && t.numel() == n && n > 0) {
    for (int64_t row = 0; row < numel / n; ++row)
      for (int64_t j = 0; j < n; ++j) out[row * n + j] += scale * in[j];
    return;
  }
  const BroadcastIndex index(t.shape, y.shape);
  for (int64_t i = 0; i < numel; ++i) out[i] += scale * in[index(i)];
}

Status gemm_core(const KernelArgs& a, std::span<const ConstTensorView> base) {
  const Attributes& at = a.node.attrs;
  const bool ta = at.int_or("transA", 0), tb = at.int_or("transB", 0);
  const float alpha = at.float_or("alpha", 1.f), beta = at.float_or("beta", 1.f);
  const TensorView& y = a.outputs[0];
  const int64_t m = y.shape[0], n = y.shape[1], k = ta ? base[0].shape[0] : base[0].shape[1];
  if (m * n == 0) return Status::ok();
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha,
              base[0].as<float>(), ta ? m : k, base[1].as<float>(), tb ? k : n, 0.f, y.as<float>(), n);
  if (base.size() > 2 && base[2].present()) add_term(y, base[2], beta);
  return Status::ok();
}

Status matmul_core(const KernelArgs& a, std::span<const ConstTensorView> base) {
  const Shape &as = base[0].shape, &bs = base[1].shape, &ys = a.outputs[0].shape;
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  const int64_t m = a_vec ? 1 : as[as.size() - 2], k = as.back(), n = b_vec ? 1 : bs.back();
  const std::span<const int64_t> batch_a = std::span<const int64_t>(as).first(a_vec ? 0 : as.size() - 2),
                                 batch_b = std::span<const int64_t>(bs).first(b_vec ? 0 : bs.size() - 2),
                                 batch = std::span<const int64_t>(ys).first(ys.size() + a_vec + b_vec - 2);
  const float *A = base[0].as<float>(), *B = base[1].as<float>();
  float* Y = a.outputs[0].as<float>();
  const int64_t batches = product(batch);
  if (batches * m * n == 0) return Status::ok();
  if (product(batch_b) == 1 && product(batch_a) == batches) {  // A's batch folds into M
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batches * m, n, k, 1.f, A, k, B, n, 0.f, Y, n);
    return Status::ok();
  }
  const BroadcastIndex ai(batch_a, batch), bi(batch_b, batch);
  for (int64_t t = 0; t < batches; ++t)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, A + ai(t) * m * k, k, B + bi(t) * k * n, n,
                0.f, Y + t * m * n, n);
  return Status::ok();
}

// Gemm, MatMul, FusedGemm, FusedMatMul. Fused nodes: the base op's inputs (padded with absent
// ones), then the addend.
Status run_matmul_blas(const KernelArgs& a) {
  const std::string_view base_op = fused_base_op(a.node.op);
  const bool fused = !base_op.empty();
  const bool gemm = (fused ? base_op : std::string_view(a.node.op)) == "Gemm";
  const std::span<const ConstTensorView> base = fused ? a.inputs.first(a.inputs.size() - 1) : a.inputs;
  const int64_t k =
      gemm ? (a.node.attrs.int_or("transA", 0) ? base[0].shape[0] : base[0].shape[1]) : base[0].shape.back();
  if (k == 0 || (gemm && a.node.attrs.float_or("alpha", 1.f) == 0.f)) return run_reference_kernel(a);
  FI_RETURN_IF_ERROR(gemm ? gemm_core(a, base) : matmul_core(a, base));
  if (!fused) return Status::ok();
  const TensorView& y = a.outputs[0];
  if (a.inputs.back().present()) add_term(y, a.inputs.back(), 1.f);
  activate_row(epilogue_from_attrs(a.node.attrs), y.as<float>(), y.numel());
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"Gemm", run_matmul_blas},
    {"MatMul", run_matmul_blas},
    {"FusedGemm", run_matmul_blas},
    {"FusedMatMul", run_matmul_blas},
};

}  // namespace

std::span<const CpuKernel> fast_matmul_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
