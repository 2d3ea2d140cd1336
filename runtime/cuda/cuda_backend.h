// The CUDA backend: device memory from cudaMalloc, staging from pinned host memory, queues
// as CUDA streams (compute queues each hold cuBLAS, cuBLASLt and cuDNN handles bound to their
// stream), events as CUDA events, kernels from kernels/cuda/, and recorded work as CUDA
// graphs. Compiled only with a CUDA toolkit.
#pragma once

#include <memory>

#include "runtime/backend.h"

namespace fusedinf {

struct CudaBackendOptions {
  int device = 0;
  bool allow_tf32 = false;          // fp32 results unless asked (TF32 off in cuBLAS and cuDNN)
  bool use_graphs = true;           // replay runs as CUDA graphs from the second run on
  bool poison_allocations = false;  // fill allocations with 0xFF bytes (NaN as float)
  bool library_epilogues = true;    // bias/activation fused into cuDNN/cuBLASLt calls where they can
};

// Whether a CUDA device can be used (a driver and at least one device).
bool cuda_device_available();
// Fails with the reason when no device can be used.
Result<std::unique_ptr<Backend>> make_cuda_backend(CudaBackendOptions options);

}  // namespace fusedinf
