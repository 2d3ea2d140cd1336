// Reference Conv and ConvTranspose, N-d, direct loops over output (Conv) or input
// (ConvTranspose, scatter) positions; accumulation in float.
#include <algorithm>
#include <span>

#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// Offset, in a grid of spatial shape `dims` with row-major `strides`, of the element that
// window position `pos` and kernel tap `tap` meet: pos*s - p + tap*d per dim; -1 outside.
int64_t tap_offset(const ConvGeometry& g, std::span<const int64_t> pos, std::span<const int64_t> tap,
                   std::span<const int64_t> dims, std::span<const int64_t> strides) {
  int64_t off = 0;
  for (size_t i = 0; i < g.spatial; ++i) {
    const int64_t c = pos[i] * g.s[i] - g.p[i] + tap[i] * g.d[i];
    if (c < 0 || c >= dims[i]) return -1;
    off += c * strides[i];
  }
  return off;
}

Status run_conv(const KernelArgs& a) {
  const ConvGeometry g(a.node, a.inputs[0].shape, a.outputs[0].shape);
  const float *x = a.inputs[0].as<float>(), *w = a.inputs[1].as<float>();
  const float* b = a.inputs.size() > 2 && a.inputs[2].present() ? a.inputs[2].as<float>() : nullptr;
  float* y = a.outputs[0].as<float>();
  const int64_t batch = g.batch, cin = g.cin, cout = g.cout, cin_g = g.cin_g, cout_g = g.cout_g;
  const int64_t in_size = g.in_size, out_size = g.out_size, k_size = g.k_size;
  // In the planned workspace (conv_workspace): for one output position, per kernel offset,
  // the input offset or -1 in the padding; the input strides; the position and tap indices.
  Scratch scratch(a.workspace);
  const std::span<int64_t> offsets = scratch.take<int64_t>(k_size), in_strides = scratch.take<int64_t>(g.spatial),
                           o_idx = scratch.take<int64_t>(g.spatial), k_idx = scratch.take<int64_t>(g.spatial);
  FI_RETURN_IF_ERROR(scratch.status());
  fill_strides(g.in_sp, in_strides);
  std::fill(o_idx.begin(), o_idx.end(), 0);
  int64_t o = 0;
  do {
    std::fill(k_idx.begin(), k_idx.end(), 0);
    size_t pos = 0;
    do {
      offsets[pos++] = tap_offset(g, o_idx, k_idx, g.in_sp, in_strides);
    } while (next_index(k_idx, g.k));
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
  } while (next_index(o_idx, g.out_sp));
  return Status::ok();
}

Status run_conv_transpose(const KernelArgs& a) {
  const ConvGeometry g(a.node, a.inputs[0].shape, a.outputs[0].shape);
  const float *x = a.inputs[0].as<float>(), *w = a.inputs[1].as<float>();
  const float* b = a.inputs.size() > 2 && a.inputs[2].present() ? a.inputs[2].as<float>() : nullptr;
  float* y = a.outputs[0].as<float>();
  const int64_t batch = g.batch, cin = g.cin, cout = g.cout, cin_g = g.cin_g, cout_g = g.cout_g;
  const int64_t in_size = g.in_size, out_size = g.out_size, k_size = g.k_size;
  // In the planned workspace (conv_transpose_workspace): the output strides, the input
  // position and tap indices.
  Scratch scratch(a.workspace);
  const std::span<int64_t> out_strides = scratch.take<int64_t>(g.spatial), i_idx = scratch.take<int64_t>(g.spatial),
                           k_idx = scratch.take<int64_t>(g.spatial);
  FI_RETURN_IF_ERROR(scratch.status());
  fill_strides(g.out_sp, out_strides);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oc = 0; oc < cout; ++oc) {
      float* yo = y + (n * cout + oc) * out_size;
      for (int64_t o = 0; o < out_size; ++o) yo[o] = b ? b[oc] : 0.f;
    }
  std::fill(i_idx.begin(), i_idx.end(), 0);
  int64_t i_flat = 0;
  do {
    std::fill(k_idx.begin(), k_idx.end(), 0);
    int64_t k_flat = 0;
    do {
      const int64_t off = tap_offset(g, i_idx, k_idx, g.out_sp, out_strides);
      if (off >= 0)
        for (int64_t n = 0; n < batch; ++n)
          for (int64_t ic = 0; ic < cin; ++ic) {
            const int64_t grp = ic / cin_g;
            const float xv = x[(n * cin + ic) * in_size + i_flat];
            for (int64_t ocg = 0; ocg < cout_g; ++ocg)
              y[(n * cout + grp * cout_g + ocg) * out_size + off] += xv * w[(ic * cout_g + ocg) * k_size + k_flat];
          }
      ++k_flat;
    } while (next_index(k_idx, g.k));
    ++i_flat;
  } while (next_index(i_idx, g.in_sp));
  return Status::ok();
}

uint64_t conv_workspace(const Node& node, std::span<const Shape>, std::span<const Shape>) {
  const std::span<const int64_t> k = node.attrs.ints("kernel_shape");
  return Scratch::bytes<int64_t>(product(k)) + 3 * Scratch::bytes<int64_t>(k.size());
}

uint64_t conv_transpose_workspace(const Node& node, std::span<const Shape>, std::span<const Shape>) {
  return 3 * Scratch::bytes<int64_t>(node.attrs.ints("kernel_shape").size());
}

constexpr CpuKernel kKernels[] = {
    {"Conv", run_conv, conv_workspace},
    {"ConvTranspose", run_conv_transpose, conv_transpose_workspace},
};

}  // namespace

std::span<const CpuKernel> conv_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
