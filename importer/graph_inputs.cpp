#include "importer/graph_inputs.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "importer/onnx_tensor.h"

namespace fusedinf::importer {

namespace {

// One declared dimension: its value when the file fixes it (> 0), else how it is unknown.
struct DeclaredDim {
  std::optional<int64_t> value;
  std::string unknown_as;  // "symbolic 'N'", "-1", "0", "no value"
};

std::vector<DeclaredDim> declared_dims(const onnx::TensorShapeProto& shape) {
  std::vector<DeclaredDim> dims;
  for (const auto& dim : shape.dim()) {
    if (dim.has_dim_value() && dim.dim_value() > 0)
      dims.push_back({dim.dim_value(), ""});
    else if (dim.has_dim_value())
      dims.push_back({std::nullopt, std::to_string(dim.dim_value())});
    else if (dim.has_dim_param() && !dim.dim_param().empty())
      dims.push_back({std::nullopt, "symbolic '" + dim.dim_param() + "'"});
    else
      dims.push_back({std::nullopt, "no value"});
  }
  return dims;
}

std::string dims_to_string(const std::vector<DeclaredDim>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += dims[i].value ? std::to_string(*dims[i].value) : "?";
  }
  return s + "]";
}

// `shape` (given by `source`) agrees with the declared dims: same rank, same fixed dims.
Status check_agrees(const std::string& what, const std::string& source, const Shape& shape,
                    const std::optional<std::vector<DeclaredDim>>& declared) {
  for (int64_t d : shape)
    if (d < 0) return Status::error(source + " for " + what + " has a negative dimension");
  if (!declared) return Status::ok();
  if (shape.size() != declared->size())
    return Status::error(source + " for " + what + " " + shape_to_string(shape) + " has rank " +
                         std::to_string(shape.size()) + ", the model declares rank " +
                         std::to_string(declared->size()) + " " + dims_to_string(*declared));
  for (size_t i = 0; i < shape.size(); ++i)
    if ((*declared)[i].value && *(*declared)[i].value != shape[i])
      return Status::error(source + " for " + what + " " + shape_to_string(shape) + " sets dim " + std::to_string(i) +
                           " to " + std::to_string(shape[i]) + ", the model fixes it at " +
                           std::to_string(*(*declared)[i].value) + " " + dims_to_string(*declared));
  return Status::ok();
}

template <class T>
Status parse_number(const std::string& text, T* out) {
  const char* begin = text.data() + (text.size() > 1 && text[0] == '+' && text[1] != '-');  // "+3" too
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  if (ec != std::errc() || ptr != end) return Status::error("bad");
  return Status::ok();
}

}  // namespace

Status parse_value(const std::string& text, DType dtype, void* out) {
  const std::string bad = "value '" + text + "' is not a valid " + std::string(dtype_name(dtype));
  switch (dtype) {
    case DType::kFloat32: {
      float v;
      if (text == "inf" || text == "-inf" || text == "nan") {
        v = text == "nan" ? std::numeric_limits<float>::quiet_NaN()
                          : (text[0] == '-' ? -1.f : 1.f) * std::numeric_limits<float>::infinity();
      } else {
        double d;
        if (!parse_number(text, &d).is_ok() || !std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
          return Status::error(bad);
        v = static_cast<float>(d);
      }
      std::memcpy(out, &v, sizeof v);
      return Status::ok();
    }
    case DType::kInt64: {
      int64_t v;
      if (!parse_number(text, &v).is_ok()) return Status::error(bad);
      std::memcpy(out, &v, sizeof v);
      return Status::ok();
    }
    case DType::kInt32: {
      int32_t v;
      if (!parse_number(text, &v).is_ok()) return Status::error(bad);
      std::memcpy(out, &v, sizeof v);
      return Status::ok();
    }
    case DType::kBool: {
      bool v;
      if (text == "1" || text == "true")
        v = true;
      else if (text == "0" || text == "false")
        v = false;
      else
        return Status::error(bad + " (0, 1, true or false)");
      std::memcpy(out, &v, sizeof v);
      return Status::ok();
    }
  }
  return Status::error(bad);
}

Status add_graph_input(ImportState& state, const onnx::ValueInfoProto& info) {
  const ImportOptions& options = *state.options;
  const std::string& name = info.name();
  const std::string what = "graph input '" + name + "'";
  if (!info.type().has_tensor_type()) return Status::error(what + " is not a tensor");
  const auto& tensor_type = info.type().tensor_type();
  FI_ASSIGN_OR_RETURN(DType dtype, dtype_from_onnx(tensor_type.elem_type(), what));
  std::optional<std::vector<DeclaredDim>> declared;
  if (tensor_type.has_shape()) declared = declared_dims(tensor_type.shape());
  const auto given = options.input_shapes.find(name);
  const auto value = options.static_inputs.find(name);
  const auto constant = options.constant_inputs.find(name);
  const bool is_constant = constant != options.constant_inputs.end();

  Shape shape;
  if (given != options.input_shapes.end()) {
    FI_RETURN_IF_ERROR(check_agrees(what, "--shape", given->second, declared));
    shape = given->second;
  } else if (value != options.static_inputs.end()) {
    FI_RETURN_IF_ERROR(check_agrees(what, "the value given", value->second.shape, declared));
    shape = value->second.shape;
  } else {
    const std::string hint = ": give its shape with --shape " + name + "=D0,D1,...";
    if (!declared) return Status::error(what + " has an unknown rank" + hint);
    std::string unknown;
    for (size_t i = 0; i < declared->size(); ++i) {
      const DeclaredDim& dim = (*declared)[i];
      if (dim.value) {
        shape.push_back(*dim.value);
      } else if (i == 0 && !(is_constant && declared->size() == 1)) {
        shape.push_back(options.batch_size);  // the batch
      } else if (is_constant && declared->size() == 1) {
        shape.push_back(static_cast<int64_t>(constant->second.size()));
      } else {
        unknown += (unknown.empty() ? "" : ", ") + std::to_string(i) + " (" + dim.unknown_as + ")";
        shape.push_back(-1);
      }
    }
    if (!unknown.empty())
      return Status::error(what + " " + dims_to_string(*declared) + " has unknown dim" +
                           (unknown.find(',') == std::string::npos ? " " : "s ") + unknown +
                           " (--batch sets only dim 0)" + hint);
  }

  if (!shape_within_limits(shape)) return Status::error(what + " " + shape_over_limits_message(shape));
  if (is_constant) {
    const std::vector<std::string>& texts = constant->second;
    const int64_t count = num_elements(shape);
    if (static_cast<int64_t>(texts.size()) != count)
      return Status::error("--constant-input " + name + " has " + std::to_string(texts.size()) + " value" +
                           (texts.size() == 1 ? "" : "s") + ", its shape " + shape_to_string(shape) + " holds " +
                           std::to_string(count));
    HostTensor t = HostTensor::zeros(dtype, shape);
    for (size_t i = 0; i < texts.size(); ++i) {
      const Status parsed = parse_value(texts[i], dtype, t.bytes.data() + i * dtype_size(dtype));
      if (!parsed.is_ok()) return parsed.with_context("--constant-input " + name);
    }
    state.value_of[name] =
        state.graph.add_constant(name, dtype, shape, Buffer::copy_of(t.bytes.data(), t.bytes.size()));
    return Status::ok();
  }
  const int t = state.graph.add_tensor(name, dtype, shape);
  state.graph.inputs.push_back({name, t});
  state.value_of[name] = t;
  return Status::ok();
}

Status check_input_options(const onnx::GraphProto& g, const ImportOptions& options) {
  std::set<std::string> initializers, inputs;
  for (const auto& init : g.initializer()) initializers.insert(init.name());
  std::string listed;
  for (const auto& in : g.input()) {
    if (initializers.count(in.name())) continue;
    inputs.insert(in.name());
    listed += (listed.empty() ? "'" : ", '") + in.name() + "'";
  }
  auto check = [&](const std::string& flag, const std::string& name) {
    if (inputs.count(name)) return Status::ok();
    if (initializers.count(name))
      return Status::error(flag + " names '" + name + "', an initializer (a weight), not an input of the model");
    return Status::error(flag + " names '" + name +
                         "', which is not an input of the model (inputs: " + (listed.empty() ? "none" : listed) + ")");
  };
  for (const auto& [name, shape] : options.input_shapes) FI_RETURN_IF_ERROR(check("--shape", name));
  for (const auto& [name, values] : options.constant_inputs) FI_RETURN_IF_ERROR(check("--constant-input", name));
  return Status::ok();
}

}  // namespace fusedinf::importer
