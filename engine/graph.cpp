#include "engine/graph.h"

#include <cstring>

namespace fusedinf {

Buffer Buffer::copy_of(const void* bytes, size_t size) {
  auto owned = std::make_shared<std::vector<uint8_t>>(size);
  if (size) std::memcpy(owned->data(), bytes, size);
  Buffer b;
  b.data = owned->data();
  b.size = size;
  b.owner = std::move(owned);
  return b;
}

int Graph::add_tensor(std::string tensor_name, DType dtype, Shape shape) {
  tensors.push_back(Tensor{std::move(tensor_name), dtype, std::move(shape), -1});
  return static_cast<int>(tensors.size()) - 1;
}

int Graph::add_constant(std::string tensor_name, DType dtype, Shape shape, Buffer buffer) {
  buffers.push_back(std::move(buffer));
  tensors.push_back(Tensor{std::move(tensor_name), dtype, std::move(shape), static_cast<int>(buffers.size()) - 1});
  return static_cast<int>(tensors.size()) - 1;
}

ConstTensorView Graph::constant_view(int tensor) const {
  const Tensor& t = tensors[tensor];
  return ConstTensorView{buffers[t.buffer].data, t.dtype, t.shape};
}

Status Graph::validate_structure() const {
  const int num_tensors = static_cast<int>(tensors.size());
  std::vector<int> producer(num_tensors, -1);  // -2: graph input or constant
  for (int t = 0; t < num_tensors; ++t) {
    const Tensor& tensor = tensors[t];
    for (int64_t d : tensor.shape)
      if (d < 0) return Status::error("tensor '" + tensor.name + "' has a negative dimension");
    if (tensor.is_constant()) {
      if (tensor.buffer >= static_cast<int>(buffers.size()))
        return Status::error("tensor '" + tensor.name + "' refers to buffer " + std::to_string(tensor.buffer) + " of " +
                             std::to_string(buffers.size()));
      const size_t expected = static_cast<size_t>(num_elements(tensor.shape)) * dtype_size(tensor.dtype);
      if (buffers[tensor.buffer].size != expected)
        return Status::error("constant '" + tensor.name + "' has " + std::to_string(buffers[tensor.buffer].size) +
                             " bytes, its shape " + shape_to_string(tensor.shape) + " needs " +
                             std::to_string(expected));
      producer[t] = -2;
    }
  }
  for (const GraphIo& in : inputs) {
    if (in.tensor < 0 || in.tensor >= num_tensors)
      return Status::error("graph input '" + in.name + "' is out of range");
    if (tensors[in.tensor].is_constant()) return Status::error("graph input '" + in.name + "' is a constant");
    producer[in.tensor] = -2;
  }
  for (size_t n = 0; n < nodes.size(); ++n) {
    const Node& node = nodes[n];
    const std::string where = "node " + std::to_string(n) + " '" + node.name + "' (" + node.op + ")";
    for (int in : node.inputs) {
      if (in == -1) continue;
      if (in < 0 || in >= num_tensors)
        return Status::error(where + ": input index " + std::to_string(in) + " out of range");
      if (producer[in] == -1)
        return Status::error(where + ": input '" + tensors[in].name + "' is not produced before use");
    }
    for (int out : node.outputs) {
      if (out < 0 || out >= num_tensors)
        return Status::error(where + ": output index " + std::to_string(out) + " out of range");
      if (producer[out] != -1)
        return Status::error(where + ": output '" + tensors[out].name + "' has another producer");
      producer[out] = static_cast<int>(n);
    }
  }
  for (const GraphIo& out : outputs) {
    if (out.tensor < 0 || out.tensor >= num_tensors)
      return Status::error("graph output '" + out.name + "' is out of range");
    if (producer[out.tensor] == -1) return Status::error("graph output '" + out.name + "' is never produced");
  }
  return Status::ok();
}

}  // namespace fusedinf
