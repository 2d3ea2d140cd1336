#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

std::span<const CpuKernel> data_movement_kernels() { return {}; }

}  // namespace fusedinf::cpu
