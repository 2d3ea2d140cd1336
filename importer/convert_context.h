// The interface one ONNX-op converter sees. A converter (importer/ops/<family>.cpp) reads the
// ONNX node's attributes and inputs, writes the spec's defaults where it reads an attribute,
// normalises opset differences (inputs that became attributes or the reverse), and emits IR.
// Every emitted node is shape-inferred at once and folded when all its inputs are constant,
// so later converters see static shapes and constant values.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attributes.h"
#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"

namespace fusedinf::importer {

class ConvertContext {
 public:
  virtual ~ConvertContext() = default;

  virtual const std::string& op_type() const = 0;
  virtual const std::string& node_name() const = 0;
  virtual int opset() const = 0;  // opset of the default domain in effect for this model

  // ONNX attributes of the node; `fallback` when absent. An attribute present with another
  // type than asked fails the node after its converter returns. Every attribute present must
  // be read (or checked with has_attr) by the converter, or named in ignore_attrs: an
  // attribute nobody looked at fails the node, so that none is silently ignored.
  virtual bool has_attr(std::string_view name) const = 0;
  virtual int64_t attr_int(std::string_view name, int64_t fallback) const = 0;
  virtual float attr_float(std::string_view name, float fallback) const = 0;
  virtual std::string attr_string(std::string_view name, const std::string& fallback) const = 0;
  virtual std::vector<int64_t> attr_ints(std::string_view name, std::vector<int64_t> fallback = {}) const = 0;
  virtual std::vector<float> attr_floats(std::string_view name, std::vector<float> fallback = {}) const = 0;
  virtual std::vector<std::string> attr_strings(std::string_view name,
                                                std::vector<std::string> fallback = {}) const = 0;
  // A TENSOR attribute (Constant's value); an error when absent or of another type.
  virtual Result<HostTensor> attr_tensor(std::string_view name) const = 0;
  // Names of attributes present on the node (to refuse unknown or unsupported ones).
  virtual std::vector<std::string> attr_names() const = 0;
  // Attributes that cannot change this node's inference result (say why at the call).
  virtual void ignore_attrs(std::initializer_list<std::string_view> names) = 0;

  // Inputs, in ONNX order. has_input is false for absent or empty-named optional inputs.
  virtual int num_inputs() const = 0;
  virtual bool has_input(int i) const = 0;
  virtual int input(int i) const = 0;  // IR tensor index, -1 when absent
  virtual const Graph& graph() const = 0;
  // Input i's tensor; for an absent input an empty placeholder (rank 0, no name), so that a
  // converter reading it before checking its inputs refuses the node instead of indexing -1.
  const Tensor& input_tensor(int i) const {
    static const Tensor kAbsent;
    const int t = input(i);
    return t < 0 ? kAbsent : graph().tensors[t];
  }
  // The constant value of input i; an error naming the input when it is not a constant.
  virtual Result<ConstTensorView> constant_input(int i) const = 0;
  // Integer constant input (int64 or int32) as int64 values; error if absent/not constant.
  virtual Result<std::vector<int64_t>> constant_ints(int i) const = 0;

  virtual int num_outputs() const = 0;  // ONNX outputs with non-empty names

  // Emits one IR node whose outputs are this ONNX node's outputs (in order). An absent optional
  // output before a present one becomes an internal tensor that nothing reads.
  virtual Status emit(const std::string& op, std::vector<int> inputs, Attributes attrs) = 0;
  // Emits one IR node with a single new internal output; returns its tensor index.
  virtual Result<int> emit_intermediate(const std::string& op, std::vector<int> inputs, Attributes attrs) = 0;
  // Adds a constant tensor; returns its index.
  virtual int add_constant(DType dtype, Shape shape, const void* bytes) = 0;
  // Binds ONNX output i to an existing tensor (Identity, Dropout, folded Shape, ...).
  virtual Status alias_output(int i, int tensor) = 0;

  // A Status naming this node: "node 'name' (Op, opset N): message".
  Status fail(const std::string& message) const {
    return Status::error("node '" + node_name() + "' (" + op_type() + ", opset " + std::to_string(opset()) +
                         "): " + message);
  }
};

using ConvertFn = Status (*)(ConvertContext& ctx);

// One accepted ONNX op over an opset range [since, until] (inclusive; 7 <= since, until <= 28).
struct OnnxConverter {
  std::string_view onnx_op;
  int since_opset;
  int until_opset;
  ConvertFn convert;
};

// Family tables, one per importer/ops/<family>.cpp.
std::span<const OnnxConverter> conv_converters();
std::span<const OnnxConverter> pool_converters();
std::span<const OnnxConverter> normalization_converters();
std::span<const OnnxConverter> elementwise_converters();
std::span<const OnnxConverter> matmul_converters();
std::span<const OnnxConverter> softmax_converters();
std::span<const OnnxConverter> reduce_converters();
std::span<const OnnxConverter> shape_converters();
std::span<const OnnxConverter> data_movement_converters();
std::span<const OnnxConverter> resize_converters();
std::span<const OnnxConverter> misc_converters();       // Identity, Dropout, Constant (importer core)
std::span<const OnnxConverter> recurrent_converters();  // LSTM, GRU, RNN
std::span<const OnnxConverter> misc_converters();  // Identity, Dropout, Constant (importer core)
// ops helper block (issue 11)
std::span<const OnnxConverter> scatter_gather_converters();  // GatherND, ScatterND, ScatterElements
std::span<const OnnxConverter> selection_converters();       // TopK

std::vector<const OnnxConverter*> all_converters();
// The converter for `onnx_op` at `opset`, or nullptr.
const OnnxConverter* find_converter(std::string_view onnx_op, int opset);

}  // namespace fusedinf::importer
