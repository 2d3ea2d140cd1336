// Graph <-> .fim (format/fim_file.h). Loading checks every index and size before use, then
// the graph's structure, then that shape inference reproduces every stored output.
#include "engine/fim_graph.h"

#include <filesystem>

#include "engine/op_def.h"
#include "format/fim_file.h"

namespace fusedinf {

namespace fb = flatbuffers;
using fim_format::FimFile;

namespace {

fb::Offset<fim::Attribute> write_attr(fb::FlatBufferBuilder& b, const std::string& name, const AttrValue& value) {
  const auto n = b.CreateString(name);
  if (const auto* v = std::get_if<int64_t>(&value))
    return fim::CreateAttribute(b, n, fim::AttrValue::IntValue, fim::CreateIntValue(b, *v).Union());
  if (const auto* v = std::get_if<float>(&value))
    return fim::CreateAttribute(b, n, fim::AttrValue::FloatValue, fim::CreateFloatValue(b, *v).Union());
  if (const auto* v = std::get_if<std::string>(&value))
    return fim::CreateAttribute(b, n, fim::AttrValue::StringValue,
                                fim::CreateStringValue(b, b.CreateString(*v)).Union());
  if (const auto* v = std::get_if<std::vector<int64_t>>(&value))
    return fim::CreateAttribute(b, n, fim::AttrValue::IntsValue, fim::CreateIntsValue(b, b.CreateVector(*v)).Union());
  const auto& floats = std::get<std::vector<float>>(value);
  return fim::CreateAttribute(b, n, fim::AttrValue::FloatsValue,
                              fim::CreateFloatsValue(b, b.CreateVector(floats)).Union());
}

fb::Offset<fb::Vector<fb::Offset<fim::Io>>> write_ios(fb::FlatBufferBuilder& b, const std::vector<GraphIo>& ios) {
  std::vector<fb::Offset<fim::Io>> out;
  for (const GraphIo& io : ios) out.push_back(fim::CreateIo(b, b.CreateString(io.name), io.tensor));
  return b.CreateVector(out);
}

// Reads a list of Io, checking tensor indices.
Result<std::vector<GraphIo>> read_ios(const fb::Vector<fb::Offset<fim::Io>>* ios, size_t num_tensors,
                                      const char* what) {
  std::vector<GraphIo> out;
  if (!ios) return out;
  for (const fim::Io* io : *ios) {
    const std::string name = io->name() ? io->name()->str() : "";
    if (io->tensor() < 0 || static_cast<size_t>(io->tensor()) >= num_tensors)
      return Status::error(std::string(what) + " '" + name + "' refers to tensor " + std::to_string(io->tensor()) +
                           " of " + std::to_string(num_tensors));
    out.push_back({name, io->tensor()});
  }
  return out;
}

// Decodes attributes. FimFile's check refuses a value type without its table; the null checks
// here keep decoding safe on its own.
Result<Attributes> read_attrs(const fb::Vector<fb::Offset<fim::Attribute>>* attrs) {
  Attributes out;
  if (!attrs) return out;
  for (const fim::Attribute* a : *attrs) {
    if (!a->name()) return Status::error("an attribute has no name");
    const std::string name = a->name()->str();
    const Status no_value = Status::error("attribute '" + name + "' has no value of a known type");
    switch (a->value_type()) {
      case fim::AttrValue::IntValue: {
        const fim::IntValue* v = a->value_as_IntValue();
        if (!v) return no_value;
        out.set(name, v->value());
        break;
      }
      case fim::AttrValue::FloatValue: {
        const fim::FloatValue* v = a->value_as_FloatValue();
        if (!v) return no_value;
        out.set(name, v->value());
        break;
      }
      case fim::AttrValue::StringValue: {
        const fim::StringValue* v = a->value_as_StringValue();
        if (!v) return no_value;
        out.set(name, v->value() ? v->value()->str() : std::string());
        break;
      }
      case fim::AttrValue::IntsValue: {
        const fim::IntsValue* v = a->value_as_IntsValue();
        if (!v) return no_value;
        out.set(name,
                v->values() ? std::vector<int64_t>(v->values()->begin(), v->values()->end()) : std::vector<int64_t>());
        break;
      }
      case fim::AttrValue::FloatsValue: {
        const fim::FloatsValue* v = a->value_as_FloatsValue();
        if (!v) return no_value;
        out.set(name,
                v->values() ? std::vector<float>(v->values()->begin(), v->values()->end()) : std::vector<float>());
        break;
      }
      default:
        return no_value;
    }
  }
  return out;
}

Result<Graph> graph_from_file(std::shared_ptr<FimFile> file) {
  const fim::Model& m = file->model();
  Graph g;
  g.name = m.name() ? m.name()->str() : "";
  const uint32_t num_buffers = m.buffers() ? m.buffers()->size() : 0;
  for (uint32_t i = 0; i < num_buffers; ++i) {
    std::span<const uint8_t> bytes = file->buffer(i);
    g.buffers.push_back(Buffer{file, bytes.data(), bytes.size()});
  }
  const size_t num_tensors = m.tensors() ? m.tensors()->size() : 0;
  for (size_t i = 0; i < num_tensors; ++i) {
    const fim::Tensor* t = m.tensors()->Get(static_cast<uint32_t>(i));
    const std::string name = t->name() ? t->name()->str() : "";
    const uint8_t raw = static_cast<uint8_t>(t->dtype());
    if (!is_valid_dtype(raw)) return Status::error("tensor '" + name + "' has unknown dtype " + std::to_string(raw));
    Shape shape = t->shape() ? Shape(t->shape()->begin(), t->shape()->end()) : Shape();
    for (int64_t d : shape)
      if (d < 0) return Status::error("tensor '" + name + "' has a negative dimension");
    if (!shape_within_limits(shape)) return Status::error("tensor '" + name + "' " + shape_over_limits_message(shape));
    if (t->buffer() < -1 || t->buffer() >= static_cast<int>(num_buffers))
      return Status::error("tensor '" + name + "' refers to buffer " + std::to_string(t->buffer()) + " of " +
                           std::to_string(num_buffers));
    g.tensors.push_back(Tensor{name, static_cast<DType>(raw), std::move(shape), t->buffer()});
  }
  if (m.nodes()) {
    for (const fim::Node* n : *m.nodes()) {
      Node node;
      node.op = n->op() ? n->op()->str() : "";
      node.name = n->name() ? n->name()->str() : "";
      if (n->inputs()) node.inputs.assign(n->inputs()->begin(), n->inputs()->end());
      if (n->outputs()) node.outputs.assign(n->outputs()->begin(), n->outputs()->end());
      FI_ASSIGN_OR_RETURN(node.attrs, read_attrs(n->attrs()));
      g.nodes.push_back(std::move(node));
    }
  }
  FI_ASSIGN_OR_RETURN(g.inputs, read_ios(m.inputs(), num_tensors, "graph input"));
  FI_ASSIGN_OR_RETURN(g.outputs, read_ios(m.outputs(), num_tensors, "graph output"));
  if (m.signatures()) {
    for (const fim::Signature* s : *m.signatures()) {
      Signature sig;
      sig.name = s->name() ? s->name()->str() : "";
      FI_ASSIGN_OR_RETURN(sig.inputs, read_ios(s->inputs(), num_tensors, "signature input"));
      FI_ASSIGN_OR_RETURN(sig.outputs, read_ios(s->outputs(), num_tensors, "signature output"));
      g.signatures.push_back(std::move(sig));
    }
  }
  if (m.history())
    for (const auto* line : *m.history()) g.history.push_back(line ? line->str() : "");
  FI_RETURN_IF_ERROR(g.validate_structure());
  // Every stored shape must be what inference derives: a tampered shape is an error, not a lie.
  for (const Node& node : g.nodes) {
    FI_ASSIGN_OR_RETURN(std::vector<ValueInfo> inferred, infer_node(g, node));
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const Tensor& t = g.tensors[node.outputs[o]];
      if (t.dtype != inferred[o].dtype || t.shape != inferred[o].shape)
        return Status::error("node '" + node.name + "' (" + node.op + "): stored output '" + t.name + "' is " +
                             std::string(dtype_name(t.dtype)) + " " + shape_to_string(t.shape) + ", inference gives " +
                             std::string(dtype_name(inferred[o].dtype)) + " " + shape_to_string(inferred[o].shape));
    }
  }
  return g;
}

// Stores graph's buffers in `writer` and builds its FlatBuffer in `b` (size-prefixed).
Status build_fim(const Graph& graph, fim_format::FimWriter& writer, fb::FlatBufferBuilder& b, FimWriteStats& stats) {
  FI_RETURN_IF_ERROR(graph.validate_structure());
  // Buffers in the order the executor first touches them: node order, then the rest.
  std::vector<int> file_buffer(graph.buffers.size(), -1);
  auto store = [&](int t) {
    if (t < 0 || !graph.tensors[t].is_constant()) return;
    const int b = graph.tensors[t].buffer;
    if (file_buffer[b] < 0)
      file_buffer[b] = static_cast<int>(writer.add_buffer(graph.buffers[b].data, graph.buffers[b].size));
  };
  for (const Node& node : graph.nodes)
    for (int t : node.inputs) store(t);
  for (int t = 0; t < static_cast<int>(graph.tensors.size()); ++t) store(t);

  std::vector<fb::Offset<fim::Tensor>> tensors;
  for (const Tensor& t : graph.tensors) {
    if (t.is_constant()) stats.weight_bytes += graph.buffers[t.buffer].size;
    tensors.push_back(fim::CreateTensor(b, b.CreateString(t.name), static_cast<fim::DType>(t.dtype),
                                        b.CreateVector(t.shape), t.is_constant() ? file_buffer[t.buffer] : -1));
  }
  std::vector<fb::Offset<fim::Node>> nodes;
  for (const Node& n : graph.nodes) {
    std::vector<fb::Offset<fim::Attribute>> attrs;
    for (const auto& [name, value] : n.attrs.all()) attrs.push_back(write_attr(b, name, value));
    nodes.push_back(fim::CreateNode(b, b.CreateString(n.op), b.CreateString(n.name), b.CreateVector(n.inputs),
                                    b.CreateVector(n.outputs), b.CreateVector(attrs)));
  }
  std::vector<fb::Offset<fim::Signature>> signatures;
  for (const Signature& s : graph.signatures)
    signatures.push_back(
        fim::CreateSignature(b, b.CreateString(s.name), write_ios(b, s.inputs), write_ios(b, s.outputs)));
  const auto refs = b.CreateVectorOfStructs(writer.buffer_refs());
  const auto model = fim::CreateModel(
      b, fim_format::kVersionMajor, fim_format::kVersionMinor, b.CreateString(graph.name), b.CreateVector(tensors),
      b.CreateVector(nodes), refs, write_ios(b, graph.inputs), write_ios(b, graph.outputs), b.CreateVector(signatures),
      writer.weights_size(), b.CreateVectorOfStrings(graph.history));
  fim::FinishSizePrefixedModelBuffer(b, model);
  stats.unique_weight_bytes = writer.stored_bytes();
  return Status::ok();
}

}  // namespace

Result<FimWriteStats> save_fim(const Graph& graph, const std::string& path) {
  fim_format::FimWriter writer;
  fb::FlatBufferBuilder b(1 << 16);
  FimWriteStats stats;
  FI_RETURN_IF_ERROR(build_fim(graph, writer, b, stats));
  FI_RETURN_IF_ERROR(writer.write(path, {b.GetBufferPointer(), b.GetSize()}));
  std::error_code ec;
  stats.file_bytes = std::filesystem::file_size(path, ec);
  return stats;
}

Result<std::vector<uint8_t>> save_fim_to_memory(const Graph& graph) {
  fim_format::FimWriter writer;
  fb::FlatBufferBuilder b(1 << 16);
  FimWriteStats stats;
  FI_RETURN_IF_ERROR(build_fim(graph, writer, b, stats));
  return writer.serialize({b.GetBufferPointer(), b.GetSize()});
}

Result<Graph> load_fim(const std::string& path) {
  FI_ASSIGN_OR_RETURN(std::shared_ptr<FimFile> file, FimFile::open(path));
  Result<Graph> g = graph_from_file(std::move(file));
  if (!g.is_ok()) return g.status().with_context("'" + path + "'");
  return g;
}

Result<Graph> load_fim_from_memory(const void* data, size_t size) {
  FI_ASSIGN_OR_RETURN(std::shared_ptr<FimFile> file, FimFile::from_memory(data, size));
  return graph_from_file(std::move(file));
}

}  // namespace fusedinf
