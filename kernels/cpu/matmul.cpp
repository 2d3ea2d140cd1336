#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

std::span<const CpuKernel> matmul_kernels() { return {}; }

}  // namespace fusedinf::cpu
