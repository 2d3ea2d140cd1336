// Reference shape kernels. Reshape-like ops copy bytes (the executor skips them when the
// memory plan aliases output and input); Transpose, Expand and Tile gather by index.
#include <cstring>
#include <span>

#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

Status run_copy(const KernelArgs& a) {
  if (a.outputs[0].data != a.inputs[0].data) std::memmove(a.outputs[0].data, a.inputs[0].data, a.inputs[0].bytes());
  return Status::ok();
}

Status run_transpose(const KernelArgs& a) {
  const std::span<const int64_t> perm = a.node.attrs.ints("perm");
  const Shape& ys = a.outputs[0].shape;
  // The input strides, in the planned workspace (transpose_workspace).
  Scratch scratch(a.workspace);
  const std::span<int64_t> in_strides = scratch.take<int64_t>(a.inputs[0].shape.size());
  FI_RETURN_IF_ERROR(scratch.status());
  fill_strides(a.inputs[0].shape, in_strides);
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) {
    int64_t off = 0;
    for (size_t d = ys.size(); d-- > 0;) {
      off += (i % ys[d]) * in_strides[perm[d]];
      i /= ys[d];
    }
    return off;
  });
}

uint64_t transpose_workspace(const Node&, std::span<const Shape> inputs, std::span<const Shape>) {
  return Scratch::bytes<int64_t>(inputs[0].size());
}

Status run_expand(const KernelArgs& a) {
  BroadcastIndex idx(a.inputs[0].shape, a.outputs[0].shape);
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) { return idx(i); });
}

Status run_tile(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) {
    int64_t off = 0, stride = 1;  // stride: the input's row-major stride of dim d
    for (size_t d = ys.size(); d-- > 0;) {
      off += ((i % ys[d]) % xs[d]) * stride;
      stride *= xs[d];
      i /= ys[d];
    }
    return off;
  });
}

Status run_constant_of_shape(const KernelArgs& a) {
  fill_with_value_attr(a.node, a.outputs[0]);
  return Status::ok();
}

Status run_range(const KernelArgs& a) {
  return dispatch_dtype(a.outputs[0].dtype, [&]<class T>() {
    const T start = a.inputs[0].as<T>()[0], delta = a.inputs[2].as<T>()[0];
    for (int64_t i = 0; i < a.outputs[0].numel(); ++i)
      a.outputs[0].as<T>()[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    return Status::ok();
  });
}

constexpr CpuKernel kKernels[] = {
    {"Reshape", run_copy},
    {"Flatten", run_copy},
    {"Squeeze", run_copy},
    {"Unsqueeze", run_copy},
    {"Transpose", run_transpose, transpose_workspace},
    {"Expand", run_expand},
    {"Tile", run_tile},
    {"ConstantOfShape", run_constant_of_shape},
    {"Range", run_range},
};

}  // namespace

std::span<const CpuKernel> shape_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
