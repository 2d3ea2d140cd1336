// Fast fp32 Add, Sub, Mul, Div and Relu for the CPU backend: the reference kernels' arithmetic
// (elementwise.cpp, the oracle, against which the backend harness tests these), one operation
// per element as there, without a broadcast index per element or a std::function call. A
// binary op's dims are coalesced (size-1 dims dropped, neighbours merged where both operands are
// contiguous or both repeat across them); the innermost dim runs as a plain loop, contiguous or
// with one operand held (a per-channel scale, a bias), the outer dims step offsets. Other
// dtypes, input counts and ranks go to the reference kernel.
#include <span>
#include <string>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

namespace {

constexpr int kMaxDims = 8;

// The output's dims, innermost last, with each operand's stride per dim (0: repeated).
struct BinaryLoop {
  int rank = 0;
  int64_t size[kMaxDims] = {}, sa[kMaxDims] = {}, sb[kMaxDims] = {};
};

// Numpy broadcasting (right-aligned) of `in` to `out`: the element stride of each output dim.
void broadcast_strides(const Shape& in, const Shape& out, int64_t* strides) {
  int64_t step = 1;
  const size_t lead = out.size() - in.size();
  for (size_t i = out.size(); i-- > 0;) {
    const int64_t dim = i < lead ? 1 : in[i - lead];
    strides[i] = dim == 1 ? 0 : step;
    step *= dim;
  }
}

bool make_loop(const Shape& a, const Shape& b, const Shape& y, BinaryLoop& loop) {
  if (y.size() > static_cast<size_t>(kMaxDims) || a.size() > y.size() || b.size() > y.size()) return false;
  int64_t sa[kMaxDims], sb[kMaxDims];
  broadcast_strides(a, y, sa);
  broadcast_strides(b, y, sb);
  BinaryLoop r;  // innermost first, reversed at the end
  for (size_t i = y.size(); i-- > 0;) {
    if (y[i] == 1) continue;
    const int l = r.rank - 1;
    if (r.rank > 0 && sa[i] == r.sa[l] * r.size[l] && sb[i] == r.sb[l] * r.size[l]) {
      r.size[l] *= y[i];
      continue;
    }
    r.size[r.rank] = y[i], r.sa[r.rank] = sa[i], r.sb[r.rank] = sb[i];
    ++r.rank;
  }
  loop.rank = r.rank;
  for (int i = 0; i < r.rank; ++i) {
    const int j = r.rank - 1 - i;
    loop.size[i] = r.size[j], loop.sa[i] = r.sa[j], loop.sb[i] = r.sb[j];
  }
  return true;
}

template <class F>
void run_loop(const BinaryLoop& L, const float* a, const float* b, float* y, F f) {
  if (L.rank == 0) {  // one element
    y[0] = f(a[0], b[0]);
    return;
  }
  const int last = L.rank - 1;
  const int64_t n = L.size[last], sa = L.sa[last], sb = L.sb[last];
  int64_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= L.size[d];
  int64_t idx[kMaxDims] = {}, off_a = 0, off_b = 0;
  for (int64_t o = 0; o < outer; ++o) {
    float* yo = y + o * n;
    const float *ao = a + off_a, *bo = b + off_b;
    if (sa == 1 && sb == 1) {
      for (int64_t j = 0; j < n; ++j) yo[j] = f(ao[j], bo[j]);
    } else if (sa == 1 && sb == 0) {
      const float bv = bo[0];
      for (int64_t j = 0; j < n; ++j) yo[j] = f(ao[j], bv);
    } else if (sa == 0 && sb == 1) {
      const float av = ao[0];
      for (int64_t j = 0; j < n; ++j) yo[j] = f(av, bo[j]);
    } else {
      for (int64_t j = 0; j < n; ++j) yo[j] = f(ao[j * sa], bo[j * sb]);
    }
    for (int d = last - 1; d >= 0; --d) {  // the next outer position
      off_a += L.sa[d], off_b += L.sb[d];
      if (++idx[d] < L.size[d]) break;
      off_a -= L.sa[d] * L.size[d], off_b -= L.sb[d] * L.size[d];
      idx[d] = 0;
    }
  }
}

Status run_binary_fast(const KernelArgs& a) {
  BinaryLoop loop;
  if (a.inputs.size() != 2 || a.inputs[0].dtype != DType::kFloat32 || a.inputs[1].dtype != DType::kFloat32 ||
      !make_loop(a.inputs[0].shape, a.inputs[1].shape, a.outputs[0].shape, loop))
    return run_reference_kernel(a);
  if (a.outputs[0].numel() == 0) return Status::ok();
  const float *x = a.inputs[0].as<float>(), *z = a.inputs[1].as<float>();
  float* y = a.outputs[0].as<float>();
  const std::string& op = a.node.op;
  if (op == "Add")
    run_loop(loop, x, z, y, [](float p, float q) { return p + q; });
  else if (op == "Sub")
    run_loop(loop, x, z, y, [](float p, float q) { return p - q; });
  else if (op == "Mul")
    run_loop(loop, x, z, y, [](float p, float q) { return p * q; });
  else if (op == "Div")
    run_loop(loop, x, z, y, [](float p, float q) { return p / q; });
  else
    return run_reference_kernel(a);
  return Status::ok();
}

Status run_relu_fast(const KernelArgs& a) {
  if (a.inputs[0].dtype != DType::kFloat32) return run_reference_kernel(a);
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  for (int64_t i = 0, n = a.outputs[0].numel(); i < n; ++i) y[i] = x[i] < 0.f ? 0.f : x[i];
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"Add", run_binary_fast}, {"Sub", run_binary_fast}, {"Mul", run_binary_fast},
    {"Div", run_binary_fast}, {"Relu", run_relu_fast},
};

}  // namespace

std::span<const CpuKernel> fast_elementwise_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
