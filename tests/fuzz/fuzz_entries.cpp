#include "tests/fuzz/fuzz_entries.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "engine/epilogue.h"
#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "engine/passes/pass.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/backend.h"
#include "runtime/model_pool.h"
#include "runtime/npy.h"
#include "runtime/session.h"

namespace fusedinf::fuzz {

namespace {

// An invariant broke: not a refusal but a bug. Aborts, so that libFuzzer keeps the input.
void check(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

Backend& cpu_backend() {
  static const std::unique_ptr<Backend> backend = make_cpu_backend();
  return *backend;
}

double numel(const Shape& s) { return static_cast<double>(num_elements(s)); }

uint64_t weight_bytes(const Graph& g) {
  uint64_t total = 0;
  for (const Buffer& b : g.buffers) total += b.size;
  return total;
}

// Inputs for every graph input: small deterministic values (indices stay near 0).
std::map<std::string, HostTensor> make_inputs(const Graph& g) {
  std::map<std::string, HostTensor> inputs;
  for (const GraphIo& io : g.inputs) {
    const Tensor& t = g.tensors[io.tensor];
    HostTensor h = HostTensor::zeros(t.dtype, t.shape);
    for (int64_t i = 0; i < h.numel(); ++i) {
      switch (t.dtype) {
        case DType::kFloat32:
          h.as<float>()[i] = static_cast<float>(i % 7) * 0.25f - 0.5f;
          break;
        case DType::kInt64:
          h.as<int64_t>()[i] = i % 2;
          break;
        case DType::kInt32:
          h.as<int32_t>()[i] = static_cast<int32_t>(i % 2);
          break;
        case DType::kBool:
          h.as<bool>()[i] = i % 2 != 0;
          break;
      }
    }
    inputs[io.name] = std::move(h);
  }
  return inputs;
}

// Refuses a graph over the fuzz budget for its weights, inputs and work (before anything is
// planned or allocated).
Status check_budget(const Graph& g) {
  if (weight_bytes(g) > FuzzBudget::kWeightBytes) return Status::error("fuzz budget: weights too large");
  uint64_t io = 0;
  for (const GraphIo& in : g.inputs)
    io += static_cast<uint64_t>(num_elements(g.tensors[in.tensor].shape)) * dtype_size(g.tensors[in.tensor].dtype);
  if (io > FuzzBudget::kArenaBytes) return Status::error("fuzz budget: inputs too large");
  return check_work(g);
}

// The evaluator the importer and the passes fold with, refusing work over the fuzz budget.
Status bounded_evaluator(const Node& node, std::span<const ConstTensorView> inputs,
                         std::span<const TensorView> outputs) {
  Graph g;  // node_work reads shapes from a graph: build a small one
  Node copy = node;
  copy.inputs.clear();
  copy.outputs.clear();
  for (const ConstTensorView& v : inputs) copy.inputs.push_back(g.add_tensor("", v.dtype, v.shape));
  for (const TensorView& v : outputs) copy.outputs.push_back(g.add_tensor("", v.dtype, v.shape));
  if (node_work(g, copy) > FuzzBudget::kWork) return Status::error("fuzz budget: folding too much work");
  return cpu::run_cpu_node(node, inputs, outputs);
}

}  // namespace

double node_work(const Graph& g, const Node& node) {
  auto shape = [&](size_t i) -> const Shape* {
    return i < node.inputs.size() && node.inputs[i] >= 0 ? &g.tensors[node.inputs[i]].shape : nullptr;
  };
  double in = 0, out = 0;
  for (int t : node.inputs)
    if (t >= 0) in += numel(g.tensors[t].shape);
  for (int t : node.outputs) out += numel(g.tensors[t].shape);
  double work = in + out;
  std::string_view op = fused_base_op(node.op);
  if (op.empty()) op = node.op;
  const Shape* a = shape(0);
  const Shape* b = shape(1);
  if ((op == "Conv" || op == "ConvTranspose") && a && b && !b->empty())
    work += std::max(in, out) * numel(*b) / std::max<double>(1, (*b)[0]);
  else if ((op == "MatMul" || op == "Gemm") && a && !a->empty())
    work += out * static_cast<double>(*std::max_element(a->begin(), a->end()));
  for (int64_t k : node.attrs.ints("kernel_shape")) work *= std::max<double>(1, static_cast<double>(k));
  work *= std::max<double>(1, static_cast<double>(node.attrs.int_or("size", 1)));  // LRN
  return work;
}

Status check_work(const Graph& g) {
  double work = 0;
  for (const Node& node : g.nodes) work += node_work(g, node);
  if (work > FuzzBudget::kWork) return Status::error("fuzz budget: too much work");
  return Status::ok();
}

Status fim_run(std::span<const uint8_t> data) {
  FI_ASSIGN_OR_RETURN(Graph g, load_fim_from_memory(data.data(), data.size()));
  FI_RETURN_IF_ERROR(check_budget(g));
  Backend& backend = cpu_backend();
  FI_ASSIGN_OR_RETURN(std::unique_ptr<CompiledGraph> compiled, backend.compile(g));
  std::shared_ptr<CompiledGraph> shared = std::move(compiled);
  if (Session::arena_bytes(Session::plan(g, *shared)) > FuzzBudget::kArenaBytes)
    return Status::error("fuzz budget: arena too large");
  const std::map<std::string, HostTensor> inputs = make_inputs(g);
  FI_ASSIGN_OR_RETURN(Session session, Session::create(backend, std::move(g), SessionOptions{nullptr, false, shared}));
  FI_ASSIGN_OR_RETURN(std::vector<HostTensor> outputs, session.run(inputs));
  check(outputs.size() == session.graph().outputs.size(), "run returned the wrong number of outputs");
  return Status::ok();
}

Status onnx_import(std::span<const uint8_t> data) {
  importer::ImportOptions options;
  options.evaluator = bounded_evaluator;
  options.max_folded_bytes = FuzzBudget::kFoldedBytes;
  FI_ASSIGN_OR_RETURN(Graph g, importer::import_onnx_bytes(data.data(), data.size(), "", options));
  PassContext context{bounded_evaluator, FuzzBudget::kFoldedBytes};
  FI_RETURN_IF_ERROR(run_passes(g, "default", context).status());
  // What the importer and the passes accept must save and load back unchanged in structure.
  Result<std::vector<uint8_t>> bytes = save_fim_to_memory(g);
  check(bytes.is_ok(), "save_fim_to_memory refused an imported graph: " + bytes.status().message());
  Result<Graph> loaded = load_fim_from_memory(bytes->data(), bytes->size());
  check(loaded.is_ok(), "a saved graph does not load back: " + loaded.status().message());
  check(loaded->nodes.size() == g.nodes.size() && loaded->tensors.size() == g.tensors.size(),
        "a saved graph loads back with other nodes or tensors");
  return Status::ok();
}

Status npy(std::span<const uint8_t> data) {
  FI_ASSIGN_OR_RETURN(HostTensor t, parse_npy(data.data(), data.size(), "fuzz input"));
  check(t.bytes.size() == static_cast<size_t>(t.numel()) * dtype_size(t.dtype), "npy bytes do not match the shape");
  return Status::ok();
}

Status tensor_pb(std::span<const uint8_t> data) {
  FI_ASSIGN_OR_RETURN(HostTensor t, importer::parse_tensor_pb(data.data(), data.size(), "", "fuzz input"));
  check(t.bytes.size() == static_cast<size_t>(t.numel()) * dtype_size(t.dtype), "pb bytes do not match the shape");
  return Status::ok();
}

Status group_pool(std::span<const uint8_t> data) {
  FI_ASSIGN_OR_RETURN(Graph group, load_fim_from_memory(data.data(), data.size()));
  if (weight_bytes(group) > FuzzBudget::kWeightBytes) return Status::error("fuzz budget: weights too large");
  ModelPool pool(cpu_backend(), FuzzBudget::kPoolBudgetBytes, FuzzBudget::kPoolBudgetBytes);
  // Each member alone, then the whole group; the last one registered that is within the
  // work budget is run through the pool (a swap-in, then the run).
  std::string runnable;
  std::map<std::string, HostTensor> inputs;
  Status first_error = Status::ok();
  auto add = [&](const std::string& name, Graph g) {
    const bool small = check_budget(g).is_ok();
    std::map<std::string, HostTensor> in = small ? make_inputs(g) : std::map<std::string, HostTensor>{};
    Status s = pool.register_model(name, std::move(g));
    if (!s.is_ok()) {
      if (first_error.is_ok()) first_error = s;
      return;
    }
    if (small) {
      runnable = name;
      inputs = std::move(in);
    }
  };
  for (const Signature& s : group.signatures) {
    Result<Graph> member = select_members(group, {s.name});
    if (member.is_ok()) add("member:" + s.name, std::move(*member));
  }
  add("group", std::move(group));
  if (runnable.empty()) return first_error.is_ok() ? Status::error("fuzz budget: nothing to run") : first_error;
  return pool.run(runnable, inputs).status();
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"fim_run", fim_run},     {"onnx_import", onnx_import}, {"npy", npy},
      {"tensor_pb", tensor_pb}, {"group_pool", group_pool},
  };
  return all;
}

}  // namespace fusedinf::fuzz
