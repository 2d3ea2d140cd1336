// Reference GatherND, ScatterND, ScatterElements. Indices (int64 or int32) out of range are
// an error naming the index; scatters copy x to y, then apply the updates in row-major order
// of the indices (a repeated index with reduction "none": the last update wins).
#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

int64_t index_at(const ConstTensorView& v, int64_t i) {
  return v.dtype == DType::kInt64 ? v.as<int64_t>()[i] : int64_t{v.as<int32_t>()[i]};
}

// v resolved against a dimension of size dim; an error when out of [-dim, dim).
Result<int64_t> resolve(int64_t v, int64_t dim) {
  if (v < -dim || v >= dim)
    return Status::error("index " + std::to_string(v) + " out of range for a dimension of size " + std::to_string(dim));
  return v < 0 ? v + dim : v;
}

// Offset (in elements of x) of the slice that index tuple p (k values) selects in dims
// first..first+k-1, with x's row-major strides.
Result<int64_t> tuple_offset(const ConstTensorView& idx, int64_t p, int64_t k, const Shape& x, int64_t first) {
  int64_t offset = 0, stride = product(std::span<const int64_t>(x).subspan(first + k));
  for (int64_t j = k; j-- > 0;) {
    FI_ASSIGN_OR_RETURN(int64_t v, resolve(index_at(idx, p * k + j), x[first + j]));
    offset += v * stride;
    stride *= x[first + j];
  }
  return offset;
}

Status run_gather_nd(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &is = a.inputs[1].shape;
  const int64_t b = a.node.attrs.int_or("batch_dims", 0), k = is.back();
  const int64_t batches = product(std::span<const int64_t>(xs).first(b));
  const int64_t slice = product(std::span<const int64_t>(xs).subspan(b + k));
  const int64_t batch_stride = product(std::span<const int64_t>(xs).subspan(b));
  const int64_t tuples = num_elements(is) / k, per_batch = batches ? tuples / batches : 0;
  const size_t size = dtype_size(a.inputs[0].dtype);
  const uint8_t* x = static_cast<const uint8_t*>(a.inputs[0].data);
  uint8_t* y = static_cast<uint8_t*>(a.outputs[0].data);
  for (int64_t p = 0; p < tuples; ++p) {
    FI_ASSIGN_OR_RETURN(int64_t offset, tuple_offset(a.inputs[1], p, k, xs, b));
    offset += (p / per_batch) * batch_stride;
    std::memcpy(y + p * slice * size, x + offset * size, slice * size);
  }
  return Status::ok();
}

// y = combine(y, u) for the node's "reduction".
template <class T>
T combine(std::string_view r, T y, T u) {
  if (r == "add") return T(y + u);
  if (r == "mul") return T(y * u);
  if (r == "max") return std::max(y, u);
  if (r == "min") return std::min(y, u);
  return u;
}

// y = x; then for each update position p: y[target(p) + j] = combine(.., updates[p * slice + j]).
template <class Target>
Status scatter(const KernelArgs& a, int64_t positions, int64_t slice, Target target) {
  const std::string_view r = a.node.attrs.string_or("reduction", "none");
  std::memcpy(a.outputs[0].data, a.inputs[0].data, a.inputs[0].numel() * dtype_size(a.inputs[0].dtype));
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() -> Status {
    T* y = a.outputs[0].as<T>();
    const T* u = a.inputs[2].as<T>();
    for (int64_t p = 0; p < positions; ++p) {
      FI_ASSIGN_OR_RETURN(int64_t offset, target(p));
      for (int64_t j = 0; j < slice; ++j) {
        if constexpr (std::is_same_v<T, bool>)
          y[offset + j] = u[p * slice + j];
        else
          y[offset + j] = combine(r, y[offset + j], u[p * slice + j]);
      }
    }
    return Status::ok();
  });
}

Status run_scatter_nd(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &is = a.inputs[1].shape;
  const int64_t k = is.back();
  const int64_t slice = product(std::span<const int64_t>(xs).subspan(k));
  return scatter(a, num_elements(is) / k, slice, [&](int64_t p) { return tuple_offset(a.inputs[1], p, k, xs, 0); });
}

Status run_scatter_elements(const KernelArgs& a) {
  const Shape &xs = a.inputs[0].shape, &is = a.inputs[1].shape;
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  return scatter(a, num_elements(is), 1, [&](int64_t i) -> Result<int64_t> {
    FI_ASSIGN_OR_RETURN(int64_t v, resolve(index_at(a.inputs[1], i), xs[axis]));
    int64_t rest = i, offset = 0, stride = 1;
    for (size_t d = xs.size(); d-- > 0;) {
      const int64_t c = rest % is[d];
      rest /= is[d];
      offset += (static_cast<int64_t>(d) == axis ? v : c) * stride;
      stride *= xs[d];
    }
    return offset;
  });
}

constexpr CpuKernel kKernels[] = {
    {"GatherND", run_gather_nd},
    {"ScatterND", run_scatter_nd},
    {"ScatterElements", run_scatter_elements},
};

}  // namespace

std::span<const CpuKernel> scatter_gather_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
