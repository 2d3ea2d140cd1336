// What CUDA devices this process can use. Compiled only with a CUDA toolkit.
#pragma once

#include <string>

namespace fusedinf::cuda {

// Number of usable CUDA devices; 0 when there is no driver or device.
int device_count();
// "NVIDIA H100 80GB HBM3 (sm_90)" for device 0, or why there is none.
std::string describe_device();

}  // namespace fusedinf::cuda
