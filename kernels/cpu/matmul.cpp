// Reference Gemm and MatMul: triple loops, accumulation in float.
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

namespace {

Status run_gemm(const KernelArgs& a) {
  const Attributes& at = a.node.attrs;
  const bool ta = at.get_int("transA", 0), tb = at.get_int("transB", 0);
  const float alpha = at.get_float("alpha", 1.f), beta = at.get_float("beta", 1.f);
  const Shape& y_shape = a.outputs[0].shape;
  const int64_t m = y_shape[0], n = y_shape[1], k = ta ? a.inputs[0].shape[0] : a.inputs[0].shape[1];
  const float *A = a.inputs[0].as<float>(), *B = a.inputs[1].as<float>();
  float* Y = a.outputs[0].as<float>();
  const bool has_c = a.inputs.size() > 2 && a.inputs[2].present();
  BroadcastIndex ci(has_c ? a.inputs[2].shape : Shape{}, y_shape);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.f;
      for (int64_t p = 0; p < k; ++p) acc += A[ta ? p * m + i : i * k + p] * B[tb ? j * k + p : p * n + j];
      Y[i * n + j] = alpha * acc + (has_c ? beta * a.inputs[2].as<float>()[ci(i * n + j)] : 0.f);
    }
  return Status::ok();
}

Status run_matmul(const KernelArgs& a) {
  Shape as = a.inputs[0].shape, bs = a.inputs[1].shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  // Batch: the output's leading dims; each operand's batch broadcast to it.
  const Shape batch_a(as.begin(), as.end() - 2), batch_b(bs.begin(), bs.end() - 2);
  Shape batch = batch_a.size() > batch_b.size() ? batch_a : batch_b;
  for (size_t i = 0; i < batch.size(); ++i) {
    const size_t ia = i + batch_a.size() - batch.size(), ib = i + batch_b.size() - batch.size();
    const int64_t da = i + batch_a.size() >= batch.size() ? batch_a[ia] : 1;
    const int64_t db = i + batch_b.size() >= batch.size() ? batch_b[ib] : 1;
    batch[i] = std::max(da, db);
  }
  BroadcastIndex ai(batch_a, batch), bi(batch_b, batch);
  const float *A = a.inputs[0].as<float>(), *B = a.inputs[1].as<float>();
  float* Y = a.outputs[0].as<float>();
  const int64_t batches = num_elements(batch);
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
