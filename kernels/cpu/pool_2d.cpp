// Fast 2-d MaxPool and AveragePool for the CPU backend: the reference kernel's arithmetic
// (pool.cpp, the oracle, against which the backend harness tests this) without its n-d index
// machinery: per output position, the taps of rows and columns inside the input, in the same
// order, so sums round the same way. Max: a NaN anywhere in the window wins (the result is NaN),
// an empty window gives -inf. Average: divided by the taps inside the input
// (count_include_pad=0) or inside input plus explicit padding (count_include_pad=1).
// Other ranks go to the reference kernel.
#include <cmath>
#include <limits>
#include <span>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

namespace {

struct Axis {
  int64_t in, out, k, s, d, pad_begin, pad_end;
  // Taps [first, last) of output position o that fall inside the input; `padded`: the count
  // inside input plus explicit padding.
  void taps(int64_t o, int64_t& first, int64_t& last, int64_t& padded) const {
    first = last = 0;
    padded = 0;
    bool seen = false;
    for (int64_t t = 0; t < k; ++t) {
      const int64_t c = o * s - pad_begin + t * d;
      padded += c >= -pad_begin && c < in + pad_end;
      if (c < 0 || c >= in) continue;
      if (!seen) first = t, seen = true;
      last = t + 1;
    }
  }
};

template <bool kMax>
void pool_plane(const float* x, float* y, const Axis& h, const Axis& w, bool include_pad) {
  for (int64_t oh = 0; oh < h.out; ++oh) {
    int64_t kh0, kh1, ph;
    h.taps(oh, kh0, kh1, ph);
    for (int64_t ow = 0; ow < w.out; ++ow) {
      int64_t kw0, kw1, pw;
      w.taps(ow, kw0, kw1, pw);
      float acc = kMax ? -std::numeric_limits<float>::infinity() : 0.f;
      bool nan = false;
      int64_t inside = 0;
      for (int64_t th = kh0; th < kh1; ++th) {
        const int64_t base = (oh * h.s - h.pad_begin + th * h.d) * w.in + ow * w.s - w.pad_begin;
        for (int64_t tw = kw0; tw < kw1; ++tw) {
          const float v = x[base + tw * w.d];
          if constexpr (kMax) {
            nan |= std::isnan(v);
            acc = v > acc ? v : acc;
          } else {
            acc += v;
          }
        }
        inside += kw1 - kw0;
      }
      if constexpr (kMax) {
        y[oh * w.out + ow] = nan ? std::numeric_limits<float>::quiet_NaN() : acc;
      } else {
        const int64_t count = include_pad ? ph * pw : inside;
        y[oh * w.out + ow] = count ? acc / static_cast<float>(count) : 0.f;
      }
    }
  }
}

Status run_pool_2d(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  if (xs.size() != 4) return run_reference_kernel(a);
  const Attributes& at = a.node.attrs;
  const std::span<const int64_t> k = at.ints("kernel_shape"), s = at.ints("strides"), d = at.ints("dilations"),
                                 p = at.ints("pads");
  const Axis h{xs[2], ys[2], k[0], s[0], d[0], p[0], p[2]}, w{xs[3], ys[3], k[1], s[1], d[1], p[1], p[3]};
  const bool include_pad = at.int_or("count_include_pad", 0) != 0;
  const bool is_max = a.node.op == "MaxPool";
  const int64_t planes = xs[0] * xs[1], in_size = xs[2] * xs[3], out_size = ys[2] * ys[3];
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  for (int64_t plane = 0; plane < planes; ++plane) {
    if (is_max)
      pool_plane<true>(x + plane * in_size, y + plane * out_size, h, w, include_pad);
    else
      pool_plane<false>(x + plane * in_size, y + plane * out_size, h, w, include_pad);
  }
  return Status::ok();
}

// The reference kernel's workspace: this kernel hands other ranks to it.
uint64_t pool_2d_workspace(const Node& node, std::span<const Shape> inputs, std::span<const Shape> outputs) {
  const CpuKernel* reference = find_cpu_kernel(node.op);
  return reference && reference->workspace ? reference->workspace(node, inputs, outputs) : 0;
}

constexpr CpuKernel kKernels[] = {
    {"MaxPool", run_pool_2d, pool_2d_workspace},
    {"AveragePool", run_pool_2d, pool_2d_workspace},
};

}  // namespace

std::span<const CpuKernel> fast_pool_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
