// Reference pooling. AveragePool divides by the window's elements inside the input
// (count_include_pad=0) or inside input plus explicit padding (count_include_pad=1); window
// parts beyond that (ceil_mode) never count.
#include <algorithm>
#include <cmath>
#include <span>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

bool is_global(const Node& node) { return node.op == "GlobalAveragePool" || node.op == "GlobalMaxPool"; }

// Folds one element into a max (a NaN anywhere in the window wins, as in numpy and torch) or
// a sum.
float pool_step(bool is_max, float acc, float v) {
  if (!is_max) return acc + v;
  if (std::isnan(acc)) return acc;
  return std::isnan(v) ? v : std::fmax(acc, v);
}

Status run_pool(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  const size_t n = xs.size() - 2;
  const bool is_max = a.node.op == "MaxPool" || a.node.op == "GlobalMaxPool";
  const std::span<const int64_t> in_sp = std::span<const int64_t>(xs).subspan(2),
                                 out_sp = std::span<const int64_t>(ys).subspan(2);
  const int64_t in_size = product(in_sp), out_size = product(out_sp), planes = xs[0] * xs[1];
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  if (is_global(a.node)) {  // one window over each whole plane, every element inside
    for (int64_t plane = 0; plane < planes; ++plane) {
      float acc = is_max ? -INFINITY : 0.f;
      for (int64_t i = 0; i < in_size; ++i) acc = pool_step(is_max, acc, x[plane * in_size + i]);
      y[plane] = is_max ? acc : (in_size ? acc / static_cast<float>(in_size) : 0.f);
    }
    return Status::ok();
  }
  const Attributes& at = a.node.attrs;
  const std::span<const int64_t> k = at.ints("kernel_shape"), s = at.ints("strides"), d = at.ints("dilations"),
                                 p = at.ints("pads");
  const bool include_pad = at.int_or("count_include_pad", 0) != 0;
  // In the planned workspace (pool_workspace): the input strides, the window position and
  // the kernel tap.
  Scratch scratch(a.workspace);
  const std::span<int64_t> strides = scratch.take<int64_t>(n), o_idx = scratch.take<int64_t>(n),
                           k_idx = scratch.take<int64_t>(n);
  FI_RETURN_IF_ERROR(scratch.status());
  fill_strides(in_sp, strides);
  std::fill(o_idx.begin(), o_idx.end(), 0);
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
        if (inside) acc = pool_step(is_max, acc, xp[off]);
        count += include_pad ? in_padded : inside;
      } while (next_index(k_idx, k));
      y[plane * out_size + o] = is_max ? acc : (count ? acc / static_cast<float>(count) : 0.f);
    }
    ++o;
  } while (next_index(o_idx, out_sp));
  return Status::ok();
}

uint64_t pool_workspace(const Node& node, std::span<const Shape> inputs, std::span<const Shape>) {
  return is_global(node) ? 0 : 3 * Scratch::bytes<int64_t>(inputs[0].size() - 2);
}

constexpr CpuKernel kKernels[] = {
    {"MaxPool", run_pool, pool_workspace},
    {"AveragePool", run_pool, pool_workspace},
    {"GlobalAveragePool", run_pool},
    {"GlobalMaxPool", run_pool},
};

}  // namespace

std::span<const CpuKernel> pool_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
