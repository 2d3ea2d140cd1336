// Helpers shared by the CUDA kernel families: error Status, launch geometry, and shapes
// passed by value to kernels (no device-side tables, so runs need no copies and can be
// captured in CUDA graphs).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

#include "engine/graph.h"
#include "engine/shape.h"
#include "engine/status.h"

namespace fusedinf::cuda {

// Ranks above this are refused by prepare with a message (shapes travel by value).
constexpr int kMaxRank = 8;

// A shape and its strides (in elements) by value; strides may be 0 (broadcast).
struct Dims {
  int rank = 0;
  int64_t size[kMaxRank] = {};
  int64_t stride[kMaxRank] = {};
};

// Contiguous row-major Dims of `shape` (rank must be <= kMaxRank, checked in prepare).
inline Dims contiguous_dims(const Shape& shape) {
  Dims d;
  d.rank = static_cast<int>(shape.size());
  int64_t s = 1;
  for (int i = d.rank - 1; i >= 0; --i) {
    d.size[i] = shape[i];
    d.stride[i] = s;
    s *= shape[i];
  }
  return d;
}

// Dims of `shape` read through broadcasting to `out` (numpy rules, aligned on the right):
// broadcast dimensions get stride 0. `out` gives the rank and sizes.
inline Dims broadcast_dims(const Shape& shape, const Shape& out) {
  Dims d;
  d.rank = static_cast<int>(out.size());
  const int offset = d.rank - static_cast<int>(shape.size());
  int64_t s = 1;
  for (int i = d.rank - 1; i >= 0; --i) {
    d.size[i] = out[i];
    const int j = i - offset;
    const int64_t dim = j >= 0 ? shape[j] : 1;
    d.stride[i] = dim == 1 ? 0 : s;
    s *= dim;
  }
  return d;
}

// Offset of the element at row-major linear index `linear` of `out_sizes` in a tensor with
// strides `in` (both with rank in.rank).
__host__ __device__ inline int64_t strided_offset(int64_t linear, const Dims& in) {
  int64_t off = 0;
  for (int i = in.rank - 1; i >= 0; --i) {
    const int64_t idx = linear % in.size[i];
    linear /= in.size[i];
    off += idx * in.stride[i];
  }
  return off;
}

// A Status for `what` failing with `err` (clears nothing: sticky errors stay sticky).
inline Status cuda_error(cudaError_t err, const std::string& what) {
  return Status::error(what + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

inline Status check_cuda(cudaError_t err, const char* what) {
  return err == cudaSuccess ? Status::ok() : cuda_error(err, what);
}

// The status of the last launch: call right after <<<...>>>.
inline Status check_launch(const char* kernel_name) { return check_cuda(cudaGetLastError(), kernel_name); }

// Threads per block and grid size for a grid-stride loop over n elements.
// Library scratch (cuBLAS, cuBLASLt, cuDNN) wants 256-byte aligned addresses; the arena gives
// 64. A kernel asks for its bytes + kLibraryAlignment and uses library_scratch(workspace).
constexpr uint64_t kLibraryAlignment = 256;
inline std::span<uint8_t> library_scratch(std::span<uint8_t> workspace) {
  const auto address = reinterpret_cast<uintptr_t>(workspace.data());
  const size_t skip = (kLibraryAlignment - address % kLibraryAlignment) % kLibraryAlignment;
  return skip >= workspace.size() ? std::span<uint8_t>{} : workspace.subspan(skip);
}

constexpr int kThreads = 256;
inline unsigned grid_for(int64_t n) {
  const int64_t blocks = (std::max<int64_t>(n, 1) + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::min<int64_t>(blocks, 65535LL * 8));
}

// Refuses shapes the by-value Dims cannot hold; called from prepare.
inline Status check_rank(const Shape& shape, const char* what) {
  if (shape.size() > static_cast<size_t>(kMaxRank))
    return Status::error(std::string(what) + ": rank " + std::to_string(shape.size()) +
                         " exceeds the CUDA kernels' limit of " + std::to_string(kMaxRank));
  return Status::ok();
}

// Calls f.template operator()<U>() with an unsigned integer type U of `size` bytes: pure data
// movement is typed by element size only.
template <class F>
Status by_element_size(size_t size, F&& f) {
  switch (size) {
    case 1:
      return f.template operator()<uint8_t>();
    case 4:
      return f.template operator()<uint32_t>();
    case 8:
      return f.template operator()<uint64_t>();
  }
  return Status::error("unsupported element size " + std::to_string(size));
}

// A refusal from prepare naming the op and node: "Gather 'g1' (CUDA): why".
inline Status refuse(const Node& node, const std::string& why) {
  return Status::error(node.op + " '" + node.name + "' (CUDA): " + why);
}

inline Status check_node_rank(const Node& node, const Shape& shape) {
  return check_rank(shape, (node.op + " '" + node.name + "' (CUDA)").c_str());
}

// The "value" attribute (Pad, ConstantOfShape) as the CPU's fill_with_value_attr reads it (a
// float for float32, an int otherwise), as the bits of one element of `dtype`.
inline uint64_t value_attr_bits(const Attributes& attrs, DType dtype) {
  uint64_t bits = 0;
  dispatch_dtype(dtype, [&]<class T>() {
    T value{};
    if constexpr (std::is_same_v<T, float>)
      value = attrs.get_float("value", 0.f);
    else
      value = static_cast<T>(attrs.get_int("value", 0));
    std::memcpy(&bits, &value, sizeof(T));
  });
  return bits;
}

// Records, from a kernel, that node `node_index` met data it cannot compute on (the first
// report wins); the Session turns it into an error after the run (Backend::take_data_error).
__device__ inline void report_data_error(unsigned long long* data_error, int64_t node_index) {
  if (data_error) atomicCAS(data_error, 0ull, static_cast<unsigned long long>(node_index) + 1ull);
}

}  // namespace fusedinf::cuda

// Grid-stride loop over [0, n).
#define FI_CUDA_FOR(i, n)                                                                \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)
