#include "importer/onnx_tensor.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "importer/onnx_importer.h"

namespace fusedinf::importer {

namespace fs = std::filesystem;

Result<DType> dtype_from_onnx(int elem_type, const std::string& what) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT:
      return DType::kFloat32;
    case onnx::TensorProto::INT64:
      return DType::kInt64;
    case onnx::TensorProto::INT32:
      return DType::kInt32;
    case onnx::TensorProto::BOOL:
      return DType::kBool;
    default:
      break;
  }
  const std::string name = onnx::TensorProto_DataType_IsValid(elem_type)
                               ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(elem_type))
                               : "type " + std::to_string(elem_type);
  return Status::error(what + " has element type " + name + " (supported: FLOAT, INT64, INT32, BOOL)");
}

namespace {

// Reads `length` bytes at `offset` of the external file named in the proto.
Result<std::vector<uint8_t>> read_external(const onnx::TensorProto& proto, const std::string& base_dir,
                                           const std::string& what) {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;
  for (const auto& entry : proto.external_data()) {
    try {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::stoull(entry.value());
      else if (entry.key() == "length")
        length = std::stoll(entry.value());
    } catch (const std::exception&) {
      return Status::error(what + ": bad external data " + entry.key() + " '" + entry.value() + "'");
    }
  }
  if (location.empty()) return Status::error(what + ": external data without a location");
  if (base_dir.empty()) return Status::error(what + ": external data needs the model's folder");
  const fs::path rel = fs::path(location).lexically_normal();
  if (rel.is_absolute() || rel.empty() || *rel.begin() == "..")
    return Status::error(what + ": external data location '" + location + "' leaves the model's folder");
  const fs::path path = fs::path(base_dir) / rel;
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::error(what + ": cannot open external data file '" + path.string() + "'");
  file.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(file.tellg());
  if (offset > size)
    return Status::error(what + ": external data offset " + std::to_string(offset) + " is past the end of '" +
                         path.string() + "'");
  const uint64_t n = length < 0 ? size - offset : static_cast<uint64_t>(length);
  if (n > size - offset)
    return Status::error(what + ": external data length " + std::to_string(n) + " runs past the end of '" +
                         path.string() + "'");
  std::vector<uint8_t> bytes(n);
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(n));
  if (!file) return Status::error(what + ": cannot read external data from '" + path.string() + "'");
  return bytes;
}

template <class Dst, class Field>
void copy_field(const Field& field, HostTensor& t) {
  for (int i = 0; i < field.size(); ++i) t.as<Dst>()[i] = static_cast<Dst>(field.Get(i));
}

}  // namespace

Result<HostTensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir) {
  const std::string what = "tensor '" + proto.name() + "'";
  FI_ASSIGN_OR_RETURN(DType dtype, dtype_from_onnx(proto.data_type(), what));
  if (proto.has_segment()) return Status::error(what + ": segmented tensors are not supported");
  Shape shape;
  for (int64_t d : proto.dims()) {
    if (d < 0) return Status::error(what + " has a negative dimension");
    shape.push_back(d);
  }
  if (!shape_within_limits(shape)) return Status::error(what + " " + shape_over_limits_message(shape));
  const int64_t numel = num_elements(shape);
  HostTensor t;
  t.name = proto.name();
  t.dtype = dtype;
  t.shape = shape;
  const size_t bytes = static_cast<size_t>(numel) * dtype_size(dtype);
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    FI_ASSIGN_OR_RETURN(t.bytes, read_external(proto, base_dir, what));
    if (t.bytes.size() != bytes)
      return Status::error(what + ": external data has " + std::to_string(t.bytes.size()) + " bytes, shape " +
                           shape_to_string(shape) + " needs " + std::to_string(bytes));
    return t;
  }
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes)
      return Status::error(what + ": raw_data has " + std::to_string(proto.raw_data().size()) + " bytes, shape " +
                           shape_to_string(shape) + " needs " + std::to_string(bytes));
    t.bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
    if (dtype == DType::kBool)
      for (uint8_t& b : t.bytes) b = b != 0;
    return t;
  }
  // The value count is checked before allocating: the shape alone may declare terabytes.
  const int64_t count = dtype == DType::kFloat32 ? proto.float_data_size()
                        : dtype == DType::kInt64 ? proto.int64_data_size()
                                                 : proto.int32_data_size();  // int32 and bool
  if (count != numel)
    return Status::error(what + ": has " + std::to_string(count) + " values, shape " + shape_to_string(shape) +
                         " needs " + std::to_string(numel));
  t.bytes.assign(bytes, 0);
  switch (dtype) {
    case DType::kFloat32:
      copy_field<float>(proto.float_data(), t);
      break;
    case DType::kInt64:
      copy_field<int64_t>(proto.int64_data(), t);
      break;
    case DType::kInt32:
      copy_field<int32_t>(proto.int32_data(), t);
      break;
    case DType::kBool:
      for (int i = 0; i < count; ++i) t.as<bool>()[i] = proto.int32_data(i) != 0;
      break;
  }
  return t;
}

Result<HostTensor> parse_tensor_pb(const void* data, size_t size, const std::string& base_dir,
                                   const std::string& what) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    return Status::error(what + " is larger than protobuf's 2 GiB limit");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size)))
    return Status::error(what + " is not a serialized onnx.TensorProto");
  Result<HostTensor> t = tensor_from_proto(proto, base_dir);
  if (!t.is_ok()) return t.status().with_context(what);
  return t;
}

Result<HostTensor> read_tensor_pb_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::error("cannot open '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return parse_tensor_pb(bytes.data(), bytes.size(), fs::path(path).parent_path().string(), path);
}

}  // namespace fusedinf::importer
