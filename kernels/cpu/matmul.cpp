// Reference Gemm and MatMul: triple loops, accumulation in float.
#include <span>

#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

Status run_gemm(const KernelArgs& a) {
  const Attributes& at = a.node.attrs;
  const bool ta = at.int_or("transA", 0), tb = at.int_or("transB", 0);
  const float alpha = at.float_or("alpha", 1.f), beta = at.float_or("beta", 1.f);
  const Shape& y_shape = a.outputs[0].shape;
  const int64_t m = y_shape[0], n = y_shape[1], k = ta ? a.inputs[0].shape[0] : a.inputs[0].shape[1];
  const float *A = a.inputs[0].as<float>(), *B = a.inputs[1].as<float>();
  float* Y = a.outputs[0].as<float>();
  const bool has_c = a.inputs.size() > 2 && a.inputs[2].present();
  BroadcastIndex ci(has_c ? std::span<const int64_t>(a.inputs[2].shape) : std::span<const int64_t>(), y_shape);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.f;
      for (int64_t p = 0; p < k; ++p) acc += A[ta ? p * m + i : i * k + p] * B[tb ? j * k + p : p * n + j];
      Y[i * n + j] = alpha * acc + (has_c ? beta * a.inputs[2].as<float>()[ci(i * n + j)] : 0.f);
    }
  return Status::ok();
}

Status run_matmul(const KernelArgs& a) {
  // A 1-d A is a row [1, k], a 1-d B a column [k, 1]; the output drops those dims again.
  const Shape &as = a.inputs[0].shape, &bs = a.inputs[1].shape, &ys = a.outputs[0].shape;
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  const int64_t m = a_vec ? 1 : as[as.size() - 2], k = as.back(), n = b_vec ? 1 : bs.back();
  // Batch: the output's leading dims; each operand's batch broadcast to it.
  const std::span<const int64_t> batch_a = std::span<const int64_t>(as).first(a_vec ? 0 : as.size() - 2),
                                 batch_b = std::span<const int64_t>(bs).first(b_vec ? 0 : bs.size() - 2),
                                 batch = std::span<const int64_t>(ys).first(ys.size() + a_vec + b_vec - 2);
  BroadcastIndex ai(batch_a, batch), bi(batch_b, batch);
  const float *A = a.inputs[0].as<float>(), *B = a.inputs[1].as<float>();
  float* Y = a.outputs[0].as<float>();
  const int64_t batches = product(batch);
  for (int64_t t = 0; t < batches; ++t) {
    const float* At = A + ai(t) * m * k;
    const float* Bt = B + bi(t) * k * n;
    float* Yt = Y + t * m * n;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) Yt[i * n + j] = 0.f;
      for (int64_t p = 0; p < k; ++p) {
        const float av = At[i * k + p];
        for (int64_t j = 0; j < n; ++j) Yt[i * n + j] += av * Bt[p * n + j];
      }
    }
  }
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"Gemm", run_gemm},
    {"MatMul", run_matmul},
};

}  // namespace

std::span<const CpuKernel> matmul_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
