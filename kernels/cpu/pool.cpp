// Reference pooling. AveragePool divides by the window's elements inside the input
// (count_include_pad=0) or inside input plus explicit padding (count_include_pad=1); window
// parts beyond that (ceil_mode) never count.
#include <cmath>
#include <vector>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

Status run_pool(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  const size_t n = xs.size() - 2;
  const bool global = a.node.op == "GlobalAveragePool" || a.node.op == "GlobalMaxPool";
  const bool is_max = a.node.op == "MaxPool" || a.node.op == "GlobalMaxPool";
  std::vector<int64_t> k(xs.begin() + 2, xs.end()), s(n, 1), d(n, 1), p(2 * n, 0);
  if (!global) {
    k = a.node.attrs.get_ints("kernel_shape");
    s = a.node.attrs.get_ints("strides");
    d = a.node.attrs.get_ints("dilations");
    p = a.node.attrs.get_ints("pads");
  }
  const bool include_pad = a.node.attrs.get_int("count_include_pad", 0) != 0;
  const Shape in_sp(xs.begin() + 2, xs.end()), out_sp(ys.begin() + 2, ys.end()), k_sp(k.begin(), k.end());
  const int64_t in_size = num_elements(in_sp), out_size = num_elements(out_sp), planes = xs[0] * xs[1];
  const std::vector<int64_t> strides = contiguous_strides(in_sp);
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  std::vector<int64_t> o_idx(n, 0), k_idx(n, 0);
  int64_t o = 0;
  do {
    for (int64_t plane = 0; plane < planes; ++plane) {
      const float* xp = x + plane * in_size;
      float acc = is_max ? -INFINITY : 0.f;
      int64_t count = 0;
      std::fill(k_idx.begin(), k_idx.end(), 0);
      do {
        int64_t off = 0;
        bool inside = true, in_padded = true;
        for (size_t i = 0; i < n; ++i) {
          const int64_t c = o_idx[i] * s[i] - p[i] + k_idx[i] * d[i];
          inside = inside && c >= 0 && c < in_sp[i];
          in_padded = in_padded && c >= -p[i] && c < in_sp[i] + p[i + n];
          off += c * strides[i];
        }
        if (inside) {
          acc = is_max ? std::fmax(acc, xp[off]) : acc + xp[off];
          if (is_max && std::isnan(xp[off])) acc = xp[off];
        }
        count += include_pad ? in_padded : inside;
      } while (next_index(k_idx, k_sp));
      y[plane * out_size + o] = is_max ? acc : (count ? acc / static_cast<float>(count) : 0.f);
    }
    ++o;
  } while (next_index(o_idx, out_sp));
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"MaxPool", run_pool},
    {"AveragePool", run_pool},
    {"GlobalAveragePool", run_pool},
    {"GlobalMaxPool", run_pool},
};

}  // namespace

std::span<const CpuKernel> pool_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
