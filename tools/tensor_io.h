// Tensor files and comparisons for the CLI: .npy (runtime/npy.h) and ONNX TensorProto .pb
// files, "[NAME=]FILE" arguments, seeded random inputs, statistics and tolerance checks.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"

namespace fusedinf::tools {

// Reads a .npy or .pb tensor file (by extension).
Result<HostTensor> read_tensor_file(const std::string& path);

// Binds "[NAME=]FILE" arguments to the names in `ios` (by name, else by position); names
// may hold '=', '/', ':', spaces (tools/tensor_args.h: split_tensor_arg).
Result<std::map<std::string, HostTensor>> bind_tensor_args(const std::vector<std::string>& args,
                                                           const std::vector<GraphIo>& ios, const char* what);

// DIR/<escaped name>.npy, the file `run --save-outputs DIR` writes for tensor `name`
// (escape_tensor_name: "a/b:0" -> "a%2Fb%3A0").
std::string tensor_file_path(const std::string& dir, const std::string& name);

// Normal(0,1) floats; ints in [0, 10); bools 0/1; deterministic for a seed.
HostTensor random_tensor(DType dtype, const Shape& shape, uint64_t seed);

// "float32 [1,1000] min -3.1 max 4.2 mean 0.01 std 1.0"
std::string describe_tensor(const HostTensor& t);

// Relative L2 error ||got - want|| / ||want|| for floats (0 when both are zero); exact
// equality for integers and bools (1 when any element differs). Shape/dtype mismatch: error.
Result<double> relative_l2_error(const HostTensor& got, const HostTensor& want);

// ONNX backend-test closeness: |got - want| <= atol + rtol * |want| elementwise, NaN equal
// to NaN, exact for integers. The Status names the first offending element.
Status check_all_close(const HostTensor& got, const HostTensor& want, double rtol, double atol);

}  // namespace fusedinf::tools
