// onnx.TensorProto -> HostTensor: raw_data, typed fields and external data files.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "engine/host_tensor.h"
#include "engine/status.h"

namespace fusedinf::importer {

// ONNX elem type -> DType; an error naming `what` for types fusedinf does not compute with.
Result<DType> dtype_from_onnx(int elem_type, const std::string& what);

// Reads a tensor; external data is resolved relative to `base_dir` ("" refuses it).
Result<HostTensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir);

}  // namespace fusedinf::importer
