// Reference Resize, N-d: the taps of kernels/cpu/resize_taps.h (their math is written there),
// dims multiplied together, every corner of the taps' product summed in double in the order of
// its digits (dim 0's tap the least significant), zero weights skipped; an output whose source
// is outside the input (tf_crop_and_resize) is extrapolation_value.
#include <span>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"
#include "kernels/cpu/resize_taps.h"

namespace fusedinf::cpu {

namespace {

Status run_resize(const KernelArgs& a) {
  const Attributes& at = a.node.attrs;
  const int per = resize_taps_per_dim(at);
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  const size_t rank = xs.size();
  const float extrapolation = at.float_or("extrapolation_value", 0.f);
  // In the planned workspace (resize_workspace): per dim and output coordinate, up to four
  // taps (dim d's from taps[first[d]]); the input strides; one output element's coordinates.
  Scratch scratch(a.workspace);
  const std::span<Tap> taps = scratch.take<Tap>(static_cast<size_t>(sum_of_dims(ys)));
  const std::span<int64_t> first = scratch.take<int64_t>(rank), in_strides = scratch.take<int64_t>(rank),
                           c = scratch.take<int64_t>(rank);
  FI_RETURN_IF_ERROR(scratch.status());
  resize_taps(at, xs, ys, taps, first);
  fill_strides(xs, in_strides);
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  int64_t corners = 1;
  for (size_t d = 0; d < rank; ++d) corners *= per;
  for (int64_t i = 0; i < a.outputs[0].numel(); ++i) {
    int64_t rest = i;  // unravelled into i's coordinates
    for (size_t d = rank; d-- > 0;) {
      c[d] = rest % ys[d];
      rest /= ys[d];
    }
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) outside = outside || taps[first[d] + c[d]].outside;
    if (outside) {
      y[i] = extrapolation;
      continue;
    }
    double acc = 0;
    for (int64_t corner = 0; corner < corners; ++corner) {
      double w = 1;
      int64_t off = 0;
      int64_t digits = corner;  // tap of dim d: digit d of corner in base per
      for (size_t d = 0; d < rank && w != 0; ++d, digits /= per) {
        const int bit = static_cast<int>(digits % per);
        const Tap& t = taps[first[d] + c[d]];
        w *= t.weight[bit];
        off += t.index[bit] * in_strides[d];
      }
      if (w != 0) acc += w * x[off];
    }
    y[i] = static_cast<float>(acc);
  }
  return Status::ok();
}

uint64_t resize_workspace(const Node&, std::span<const Shape> inputs, std::span<const Shape> outputs) {
  return Scratch::bytes<Tap>(sum_of_dims(outputs[0])) + 3 * Scratch::bytes<int64_t>(inputs[0].size());
}

constexpr CpuKernel kKernels[] = {
    {"Resize", run_resize, resize_workspace},
};

}  // namespace

std::span<const CpuKernel> resize_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
