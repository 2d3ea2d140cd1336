// NumPy .npy files (format 1.0, 2.0, 3.0): little-endian float32, int64, int32 and bool,
// C order. Anything else is an error naming the file.
#pragma once

#include <string>

#include "engine/host_tensor.h"
#include "engine/status.h"

namespace fusedinf {

Result<HostTensor> read_npy(const std::string& path);
Result<HostTensor> parse_npy(const void* data, size_t size, const std::string& what);
Status write_npy(const std::string& path, const HostTensor& tensor);

}  // namespace fusedinf
