// Reference data-movement kernels, by index mapping.
#include <cstring>
#include <span>
#include <string_view>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// Product of dims before / after `axis`.
int64_t outer_of(std::span<const int64_t> s, int64_t axis) { return product(s.first(axis)); }
int64_t inner_of(std::span<const int64_t> s, int64_t axis) { return product(s.subspan(axis + 1)); }

Status run_concat(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const Shape& ys = a.outputs[0].shape;
  const size_t esize = dtype_size(a.outputs[0].dtype);
  const int64_t outer = outer_of(ys, axis), inner = inner_of(ys, axis);
  uint8_t* y = static_cast<uint8_t*>(a.outputs[0].data);
  int64_t offset = 0;
  for (const ConstTensorView& in : a.inputs) {
    const int64_t chunk = in.shape[axis] * inner * static_cast<int64_t>(esize);
    for (int64_t o = 0; o < outer; ++o)
      if (chunk)
        std::memcpy(y + (o * ys[axis] * inner) * esize + offset, static_cast<const uint8_t*>(in.data) + o * chunk,
                    chunk);
    offset += chunk;
  }
  return Status::ok();
}

Status run_split(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const Shape& xs = a.inputs[0].shape;
  const size_t esize = dtype_size(a.inputs[0].dtype);
  const int64_t outer = outer_of(xs, axis), inner = inner_of(xs, axis);
  const uint8_t* x = static_cast<const uint8_t*>(a.inputs[0].data);
  int64_t offset = 0;
  for (const TensorView& out : a.outputs) {
    const int64_t chunk = out.shape[axis] * inner * static_cast<int64_t>(esize);
    for (int64_t o = 0; o < outer; ++o)
      if (chunk)
        std::memcpy(static_cast<uint8_t*>(out.data) + o * chunk, x + (o * xs[axis] * inner) * esize + offset, chunk);
    offset += chunk;
  }
  return Status::ok();
}

Status run_slice(const KernelArgs& a) {
  const std::span<const int64_t> starts = a.node.attrs.ints("starts"), steps = a.node.attrs.ints("steps");
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) {
    int64_t off = 0, stride = 1;  // stride: the input's row-major stride of dim d
    for (size_t d = ys.size(); d-- > 0;) {
      off += (starts[d] + (i % ys[d]) * steps[d]) * stride;
      stride *= xs[d];
      i /= ys[d];
    }
    return off;
  });
}

Status run_gather(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const Shape& xs = a.inputs[0].shape;
  const ConstTensorView& indices = a.inputs[1];
  const int64_t dim = xs[axis], inner = inner_of(xs, axis), count = indices.numel();
  auto index = [&](int64_t k) {
    return indices.dtype == DType::kInt64 ? indices.as<int64_t>()[k] : int64_t{indices.as<int32_t>()[k]};
  };
  for (int64_t k = 0; k < count; ++k) {
    const int64_t v = index(k);
    if (v < -dim || v >= dim)
      return Status::error("index " + std::to_string(v) + " out of range for axis of size " + std::to_string(dim));
  }
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) {
    const int64_t in = i % inner, rest = i / inner, k = rest % count, o = rest / count;
    const int64_t v = index(k);
    return (o * dim + (v < 0 ? v + dim : v)) * inner + in;
  });
}

// y[i] = x[the coordinates of i in y, with idx[i] (+ dim when negative) on the axis].
Status run_gather_elements(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const Shape &xs = a.inputs[0].shape, &is = a.inputs[1].shape;
  const ConstTensorView& indices = a.inputs[1];
  const int64_t dim = xs[axis];
  auto index = [&](int64_t i) {
    return indices.dtype == DType::kInt64 ? indices.as<int64_t>()[i] : int64_t{indices.as<int32_t>()[i]};
  };
  for (int64_t i = 0; i < indices.numel(); ++i) {
    const int64_t v = index(i);
    if (v < -dim || v >= dim)
      return Status::error("index " + std::to_string(v) + " out of range for axis of size " + std::to_string(dim));
  }
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) {
    int64_t rest = i, offset = 0, stride = 1;
    for (size_t d = xs.size(); d-- > 0;) {
      int64_t c = rest % is[d];
      rest /= is[d];
      if (static_cast<int64_t>(d) == axis) {
        const int64_t v = index(i);
        c = v < 0 ? v + dim : v;
      }
      offset += c * stride;
      stride *= xs[d];
    }
    return offset;
  });
}

// y = x where the column j and row i of the last two dims satisfy j - i >= k (upper) or
// j - i <= k (lower), else 0.
Status run_trilu(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t cols = xs[xs.size() - 1], rows = xs[xs.size() - 2];
  const int64_t k = a.node.attrs.int_or("k", 0);
  const bool upper = a.node.attrs.int_or("upper", 1) != 0;
  const size_t size = dtype_size(a.inputs[0].dtype);
  const uint8_t* x = static_cast<const uint8_t*>(a.inputs[0].data);
  uint8_t* y = static_cast<uint8_t*>(a.outputs[0].data);
  for (int64_t i = 0, n = a.outputs[0].numel(); i < n; ++i) {
    const int64_t j_minus_i = i % cols - (i / cols) % rows;
    if (upper ? j_minus_i >= k : j_minus_i <= k)
      std::memcpy(y + i * size, x + i * size, size);
    else
      std::memset(y + i * size, 0, size);
  }
  return Status::ok();
}

Status run_pad(const KernelArgs& a) {
  const std::span<const int64_t> pads = a.node.attrs.ints("pads");
  const std::string_view mode = a.node.attrs.string_or("mode", "constant");
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  // Constant mode: fill with the value first, then copy what maps inside.
  const TensorView& y = a.outputs[0];
  fill_with_value_attr(a.node, y);
  const size_t esize = dtype_size(y.dtype);
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t off = 0, stride = 1, rest = i;  // stride: the input's row-major stride of dim d
    bool inside = true;
    for (size_t d = ys.size(); d-- > 0;) {
      int64_t p = rest % ys[d] - pads[d];
      rest /= ys[d];
      if (p < 0 || p >= xs[d]) {
        if (mode == "constant")
          inside = false;
        else if (mode == "edge")
          p = p < 0 ? 0 : xs[d] - 1;
        else {  // reflect: mirror without repeating the edge
          const int64_t period = 2 * (xs[d] - 1);
          p = period == 0 ? 0 : ((p % period) + period) % period;
          if (p >= xs[d]) p = period - p;
        }
      }
      off += p * stride;
      stride *= xs[d];
    }
    if (inside)
      std::memcpy(static_cast<uint8_t*>(y.data) + i * esize,
                  static_cast<const uint8_t*>(a.inputs[0].data) + off * esize, esize);
  }
  return Status::ok();
}

Status run_depth_space(const KernelArgs& a) {
  const int64_t b = a.node.attrs.int_or("blocksize", 1);
  const bool to_space = a.node.op == "DepthToSpace";
  const bool crd = a.node.attrs.string_or("mode", "DCR") == "CRD";
  const Shape &xs = a.inputs[0].shape, &ys = a.outputs[0].shape;
  return gather_elements(a.inputs[0], a.outputs[0], [&](int64_t i) {
    const int64_t w = i % ys[3], h = (i / ys[3]) % ys[2], c = (i / (ys[3] * ys[2])) % ys[1],
                  n = i / (ys[3] * ys[2] * ys[1]);
    int64_t ic, ih, iw;
    if (to_space) {  // y[n, c, h, w] with h = ih*b + bi, w = iw*b + bj
      const int64_t bi = h % b, bj = w % b;
      ih = h / b, iw = w / b;
      ic = crd ? c * b * b + bi * b + bj : (bi * b + bj) * ys[1] + c;
    } else {  // y[n, (bi*b + bj)*C + ic, h, w] = x[n, ic, h*b + bi, w*b + bj]
      const int64_t cin = xs[1], blk = c / cin;
      ic = c % cin, ih = h * b + blk / b, iw = w * b + blk % b;
    }
    return ((n * xs[1] + ic) * xs[2] + ih) * xs[3] + iw;
  });
}

constexpr CpuKernel kKernels[] = {
    {"Concat", run_concat},
    {"Split", run_split},
    {"Slice", run_slice},
    {"Gather", run_gather},
    {"GatherElements", run_gather_elements},
    {"Trilu", run_trilu},
    {"Pad", run_pad},
    {"DepthToSpace", run_depth_space},
    {"SpaceToDepth", run_depth_space},
};

}  // namespace

std::span<const CpuKernel> data_movement_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
