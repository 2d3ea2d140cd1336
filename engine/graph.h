// The in-memory IR: tensors, nodes in topological order, constant buffers, and the graph's
// named inputs and outputs. Shapes are static. Constants point at immutable bytes that a
// Buffer keeps alive (an owned vector, or a region of a mapped .fim file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/dtype.h"
#include "engine/shape.h"
#include "engine/status.h"
#include "engine/tensor_view.h"

namespace fusedinf {

// Immutable bytes of one constant. `owner` keeps `data` valid.
struct Buffer {
  std::shared_ptr<const void> owner;
  const uint8_t* data = nullptr;
  size_t size = 0;

  static Buffer copy_of(const void* bytes, size_t size);
};

struct Tensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  int buffer = -1;  // index into Graph::buffers when the tensor is a constant, else -1

  bool is_constant() const { return buffer >= 0; }
};

struct Node {
  std::string op;            // IR op type (ONNX names; fused ops get their own names)
  std::string name;          // for messages; unique names are not required
  std::vector<int> inputs;   // tensor indices; -1 marks an absent optional input
  std::vector<int> outputs;  // tensor indices
  Attributes attrs;
};

// A named graph input or output. Names are what callers bind by.
struct GraphIo {
  std::string name;
  int tensor = -1;
};

// One member model of a fused group: its own input and output names, bound to the group's
// tensors (several members may share an input tensor or computed tensors).
struct Signature {
  std::string name;
  std::vector<GraphIo> inputs;   // GraphIo::name is the member's own input name
  std::vector<GraphIo> outputs;  // GraphIo::name is the member's own output name
};

class Graph {
 public:
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // topological order
  std::vector<Buffer> buffers;
  std::vector<GraphIo> inputs;
  std::vector<GraphIo> outputs;
  std::string name;                   // model name
  std::vector<Signature> signatures;  // one per member of a fused group; empty for one model
  std::vector<std::string> history;   // what import and each pass did ("cse: 3 nodes merged")

  int add_tensor(std::string name, DType dtype, Shape shape);
  // Adds a constant tensor holding a copy of `bytes` (must be numel * dtype_size long).
  int add_constant(std::string name, DType dtype, Shape shape, Buffer buffer);
  ConstTensorView constant_view(int tensor) const;

  // Checks indices, single producers, topological order and constant sizes.
  Status validate_structure() const;
};

}  // namespace fusedinf
