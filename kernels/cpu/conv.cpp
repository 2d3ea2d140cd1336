// Reference Conv and ConvTranspose, N-d, direct loops over output (Conv) or input
// (ConvTranspose, scatter) positions; accumulation in float.
#include <vector>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// Attributes and sizes both Conv and ConvTranspose read. For Conv "in" is X's spatial
// shape and "out" Y's; ConvTranspose scatters from in to out the same way.
struct ConvGeometry {
  std::vector<int64_t> k, s, d, p;
  int64_t group, batch, cin, cout, cin_g, cout_g, in_size, out_size, k_size;
  size_t spatial;
  Shape in_sp, out_sp, k_sp;
  explicit ConvGeometry(const KernelArgs& a)
      : k(a.node.attrs.get_ints("kernel_shape")),
        s(a.node.attrs.get_ints("strides")),
        d(a.node.attrs.get_ints("dilations")),
        p(a.node.attrs.get_ints("pads")),
        group(a.node.attrs.get_int("group", 1)),
        spatial(k.size()) {
    const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
    batch = xs[0], cin = xs[1], cout = ys[1], cin_g = cin / group, cout_g = cout / group;
    in_sp.assign(xs.begin() + 2, xs.end());
    out_sp.assign(ys.begin() + 2, ys.end());
    k_sp.assign(k.begin(), k.end());
    in_size = num_elements(in_sp), out_size = num_elements(out_sp), k_size = num_elements(k_sp);
  }
};

// Offset, in a grid of spatial shape `dims` with row-major `strides`, of the element that
// window position `pos` and kernel tap `tap` meet: pos*s - p + tap*d per dim; -1 outside.
int64_t tap_offset(const ConvGeometry& g, const std::vector<int64_t>& pos, const std::vector<int64_t>& tap,
                   const Shape& dims, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (size_t i = 0; i < g.spatial; ++i) {
    const int64_t c = pos[i] * g.s[i] - g.p[i] + tap[i] * g.d[i];
    if (c < 0 || c >= dims[i]) return -1;
    off += c * strides[i];
  }
  return off;
}

Status run_conv(const KernelArgs& a) {
  const ConvGeometry g(a);
  const float *x = a.inputs[0].as<float>(), *w = a.inputs[1].as<float>();
  const float* b = a.inputs.size() > 2 && a.inputs[2].present() ? a.inputs[2].as<float>() : nullptr;
  float* y = a.outputs[0].as<float>();
  const int64_t batch = g.batch, cin = g.cin, cout = g.cout, cin_g = g.cin_g, cout_g = g.cout_g;
  const Shape &in_sp = g.in_sp, &out_sp = g.out_sp, &k_sp = g.k_sp;
  const int64_t in_size = g.in_size, out_size = g.out_size, k_size = g.k_size;
  std::vector<int64_t> in_strides = contiguous_strides(in_sp);
  // For one output position, per kernel offset: the input offset, or -1 in the padding
  // (k_size int64 in the planned workspace).
  std::vector<int64_t> o_idx(g.spatial, 0), k_idx(g.spatial, 0);
  int64_t* offsets = reinterpret_cast<int64_t*>(a.workspace.data());
  int64_t o = 0;
  do {
    std::fill(k_idx.begin(), k_idx.end(), 0);
    size_t pos = 0;
    do {
      offsets[pos++] = tap_offset(g, o_idx, k_idx, in_sp, in_strides);
    } while (next_index(k_idx, k_sp));
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t oc = 0; oc < cout; ++oc) {
        const int64_t grp = oc / cout_g;
        float acc = b ? b[oc] : 0.f;
        for (int64_t ic = 0; ic < cin_g; ++ic) {
          const float* xi = x + (n * cin + grp * cin_g + ic) * in_size;
          const float* wk = w + (oc * cin_g + ic) * k_size;
          for (int64_t kk = 0; kk < k_size; ++kk)
            if (offsets[kk] >= 0) acc += xi[offsets[kk]] * wk[kk];
        }
        y[(n * cout + oc) * out_size + o] = acc;
      }
    ++o;
  } while (next_index(o_idx, out_sp));
  return Status::ok();
}

Status run_conv_transpose(const KernelArgs& a) {
  const ConvGeometry g(a);
  const float *x = a.inputs[0].as<float>(), *w = a.inputs[1].as<float>();
  const float* b = a.inputs.size() > 2 && a.inputs[2].present() ? a.inputs[2].as<float>() : nullptr;
  float* y = a.outputs[0].as<float>();
  const int64_t batch = g.batch, cin = g.cin, cout = g.cout, cin_g = g.cin_g, cout_g = g.cout_g;
  const Shape &in_sp = g.in_sp, &out_sp = g.out_sp, &k_sp = g.k_sp;
  const int64_t in_size = g.in_size, out_size = g.out_size, k_size = g.k_size;
  const std::vector<int64_t> out_strides = contiguous_strides(out_sp);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oc = 0; oc < cout; ++oc) {
      float* yo = y + (n * cout + oc) * out_size;
      for (int64_t o = 0; o < out_size; ++o) yo[o] = b ? b[oc] : 0.f;
    }
  std::vector<int64_t> i_idx(g.spatial, 0), k_idx(g.spatial, 0);
  int64_t i_flat = 0;
  do {
    std::fill(k_idx.begin(), k_idx.end(), 0);
    int64_t k_flat = 0;
    do {
      const int64_t off = tap_offset(g, i_idx, k_idx, out_sp, out_strides);
      if (off >= 0)
        for (int64_t n = 0; n < batch; ++n)
          for (int64_t ic = 0; ic < cin; ++ic) {
            const int64_t grp = ic / cin_g;
            const float xv = x[(n * cin + ic) * in_size + i_flat];
            for (int64_t ocg = 0; ocg < cout_g; ++ocg)
              y[(n * cout + grp * cout_g + ocg) * out_size + off] += xv * w[(ic * cout_g + ocg) * k_size + k_flat];
          }
      ++k_flat;
    } while (next_index(k_idx, k_sp));
    ++i_flat;
  } while (next_index(i_idx, in_sp));
  return Status::ok();
}

uint64_t conv_workspace(const Node& node, std::span<const Shape>, std::span<const Shape>) {
  const auto k = node.attrs.get_ints("kernel_shape");
  return static_cast<uint64_t>(num_elements(Shape(k.begin(), k.end()))) * sizeof(int64_t);
}

constexpr CpuKernel kKernels[] = {
    {"Conv", run_conv, conv_workspace},
    {"ConvTranspose", run_conv_transpose},
};

}  // namespace

std::span<const CpuKernel> conv_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
