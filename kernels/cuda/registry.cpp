#include <algorithm>

#include "kernels/cuda/cuda_kernels.h"

namespace fusedinf::cuda {

std::vector<const CudaKernel*> all_cuda_kernels() {
  // The one visible table of CUDA kernel families.
  // clang-format off
  const std::span<const CudaKernel> families[] = {
      conv_kernels(), matmul_kernels(), elementwise_kernels(),   softmax_kernels(), normalization_kernels(),
      pool_kernels(), reduce_kernels(), data_movement_kernels(), shape_kernels(),   resize_kernels(),
      recurrent_kernels(),
      scatter_gather_kernels(), selection_kernels(),  // ops helper block (issue 11)
  };
  // clang-format on
  std::vector<const CudaKernel*> kernels;
  for (auto family : families)
    for (const CudaKernel& k : family) kernels.push_back(&k);
  return kernels;
}

const CudaKernel* find_cuda_kernel(std::string_view op) {
  static const std::vector<const CudaKernel*> kernels = all_cuda_kernels();
  auto it = std::find_if(kernels.begin(), kernels.end(), [&](const CudaKernel* k) { return k->op == op; });
  return it == kernels.end() ? nullptr : *it;
}

}  // namespace fusedinf::cuda
