#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

std::span<const CpuKernel> normalization_kernels() { return {}; }

}  // namespace fusedinf::cpu
