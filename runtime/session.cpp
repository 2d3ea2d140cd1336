#include "runtime/session.h"

#include <cstring>
#include <utility>

namespace fusedinf {

namespace {

constexpr uint64_t kAlignment = 64;
uint64_t round_up(uint64_t bytes) { return (std::max<uint64_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment; }

// Backend memory released with its backend; an empty one owns nothing.
class BackendMemory {
 public:
  BackendMemory() = default;
  BackendMemory(Backend* backend, void* ptr, bool staging) : backend_(backend), ptr_(ptr), staging_(staging) {}
  BackendMemory(BackendMemory&& o) noexcept { *this = std::move(o); }
  BackendMemory& operator=(BackendMemory&& o) noexcept {
    std::swap(backend_, o.backend_);
    std::swap(ptr_, o.ptr_);
    std::swap(staging_, o.staging_);
    return *this;
  }
  ~BackendMemory() {
    if (!backend_ || !ptr_) return;
    staging_ ? backend_->release_staging(ptr_) : backend_->release(ptr_);
  }
  uint8_t* get() const { return static_cast<uint8_t*>(ptr_); }

 private:
  Backend* backend_ = nullptr;
  void* ptr_ = nullptr;
  bool staging_ = false;
};

Backend& process_cpu_backend() {
  static const std::unique_ptr<Backend> cpu = make_cpu_backend();
  return *cpu;
}

}  // namespace

// A node bound to fixed views of its tensors and workspace.
struct BoundNode {
  bool skip = false;  // an aliasing op whose output already shares its input's bytes
  std::vector<ConstTensorView> inputs;
  std::vector<TensorView> outputs;
  std::span<uint8_t> workspace;
};

// A graph input or output: its bytes in backend memory and in staging memory.
struct IoSlot {
  const void* device = nullptr;  // nullptr: an input no node reads
  uint8_t* staging = nullptr;
  uint64_t bytes = 0;
};

struct Session::State {
  Backend* backend = nullptr;
  Graph graph;
  std::shared_ptr<CompiledGraph> compiled;
  ActivationPlan plan;
  BackendMemory arena_owned, weights, staging;
  uint8_t* arena = nullptr;
  uint64_t weight_bytes = 0;
  std::unique_ptr<Queue> queue;
  std::vector<uint8_t*> tensor_data;  // backend address of every planned tensor
  std::vector<BoundNode> bound;       // per node
  std::vector<IoSlot> inputs, outputs;
  std::unique_ptr<Recording> recording;
  bool recording_tried = false;
  int runs = 0;

  // After a synchronized run: the error naming the node whose kernel met bad data, if any.
  Status take_data_error() {
    const int64_t bad_node = backend->take_data_error(*queue);
    if (bad_node < 0 || static_cast<size_t>(bad_node) >= graph.nodes.size()) return Status::ok();
    const Node& node = graph.nodes[static_cast<size_t>(bad_node)];
    return Status::error("node '" + node.name + "' (" + node.op + ") on " + std::string(backend->name()) +
                         ": an index in its input data is out of range");
  }

  ConstTensorView view(int t) const {
    if (t < 0) return ConstTensorView{};
    const Tensor& tensor = graph.tensors[t];
    if (tensor.is_constant()) return graph.constant_view(t);
    return ConstTensorView{tensor_data[t], tensor.dtype, tensor.shape};
  }
};

Status check_input(const Graph& graph, const GraphIo& io, const HostTensor& tensor) {
  const Tensor& expected = graph.tensors[io.tensor];
  if (tensor.dtype != expected.dtype || tensor.shape != expected.shape)
    return Status::error("input '" + io.name + "': expected " + std::string(dtype_name(expected.dtype)) + " " +
                         shape_to_string(expected.shape) + ", got " + std::string(dtype_name(tensor.dtype)) + " " +
                         shape_to_string(tensor.shape));
  if (tensor.bytes.size() != static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype))
    return Status::error("input '" + io.name + "': holds " + std::to_string(tensor.bytes.size()) +
                         " bytes, its shape needs " + std::to_string(tensor.numel() * dtype_size(tensor.dtype)));
  return Status::ok();
}

ActivationPlan Session::plan(const Graph& graph, const CompiledGraph& compiled) {
  return plan_activations(graph, compiled.workspace_per_node(), kAlignment);
}

uint64_t Session::arena_bytes(const ActivationPlan& plan) { return round_up(plan.memory.arena_size); }

Session::Session(std::unique_ptr<State> state) : state_(std::move(state)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

const Graph& Session::graph() const { return state_->graph; }
const ActivationPlan& Session::plan() const { return state_->plan; }
uint64_t Session::weight_bytes() const { return state_->weight_bytes; }
std::string Session::describe_node(size_t n) const { return state_->compiled->describe_node(n); }

Result<Session> Session::create(Graph graph) { return create(process_cpu_backend(), std::move(graph)); }

Result<Session> Session::create(Backend& backend, Graph graph, SessionOptions options) {
  FI_RETURN_IF_ERROR(graph.validate_structure());
  auto s = std::make_unique<State>();
  s->backend = &backend;
  s->compiled = std::move(options.compiled);
  if (!s->compiled) {
    FI_ASSIGN_OR_RETURN(std::unique_ptr<CompiledGraph> compiled, backend.compile(graph));
    s->compiled = std::move(compiled);
  }
  s->graph = std::move(graph);
  Graph& g = s->graph;
  s->plan = plan(g, *s->compiled);
  FI_ASSIGN_OR_RETURN(s->queue, backend.create_queue(QueueKind::kCompute));

  if (options.arena) {
    s->arena = static_cast<uint8_t*>(options.arena);
  } else {
    FI_ASSIGN_OR_RETURN(void* arena, backend.allocate(arena_bytes(s->plan)));
    s->arena_owned = BackendMemory(&backend, arena, false);
    s->arena = s->arena_owned.get();
  }

  // Weights: one region in buffer order (the .fim stores buffers in first-use order), copied
  // from one staging region.
  if (!options.weights_placed && !backend.device_is_host() && !g.buffers.empty()) {
    uint64_t total = 0;
    for (const Buffer& b : g.buffers) total += round_up(b.size);
    FI_ASSIGN_OR_RETURN(void* region, backend.allocate(total));
    s->weights = BackendMemory(&backend, region, false);
    FI_ASSIGN_OR_RETURN(void* staging, backend.allocate_staging(total));
    BackendMemory staged(&backend, staging, true);
    uint64_t offset = 0;
    for (Buffer& b : g.buffers) {
      if (b.size) std::memcpy(staged.get() + offset, b.data, b.size);
      b = Buffer{nullptr, s->weights.get() + offset, b.size};
      offset += round_up(b.size);
    }
    FI_RETURN_IF_ERROR(backend.copy_to_device(s->weights.get(), staged.get(), total, *s->queue));
    FI_RETURN_IF_ERROR(backend.synchronize(*s->queue));
    s->weight_bytes = total;
  }

  s->tensor_data.assign(g.tensors.size(), nullptr);
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (s->plan.buffer_of_tensor[t] >= 0) s->tensor_data[t] = s->arena + s->plan.tensor_offset[t];
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    BoundNode b;
    for (int t : node.inputs) b.inputs.push_back(s->view(t));
    for (int t : node.outputs)
      b.outputs.push_back(TensorView{s->tensor_data[t], g.tensors[t].dtype, g.tensors[t].shape});
    b.skip = is_alias_op(node.op) && !b.inputs.empty() && b.inputs[0].data == b.outputs[0].data;
    if (s->plan.workspace_offset[n] >= 0)
      b.workspace = {s->arena + s->plan.workspace_offset[n], static_cast<size_t>(s->plan.workspace_bytes[n])};
    s->bound.push_back(std::move(b));
  }

  // Staging for inputs and outputs, so that runs copy from and to fixed host memory.
  uint64_t staging_bytes = 0;
  for (const GraphIo& io : g.inputs) staging_bytes += round_up(s->view(io.tensor).bytes());
  for (const GraphIo& io : g.outputs) staging_bytes += round_up(s->view(io.tensor).bytes());
  FI_ASSIGN_OR_RETURN(void* io_staging, backend.allocate_staging(staging_bytes));
  s->staging = BackendMemory(&backend, io_staging, true);
  uint8_t* cursor = s->staging.get();
  auto slot = [&](int t) {
    ConstTensorView v = s->view(t);
    IoSlot io{v.data, cursor, v.bytes()};
    cursor += round_up(v.bytes());
    return io;
  };
  for (const GraphIo& io : g.inputs) s->inputs.push_back(slot(io.tensor));
  for (const GraphIo& io : g.outputs) s->outputs.push_back(slot(io.tensor));
  return Session(std::move(s));
}

Status Session::enqueue_run(std::span<const Event* const> node_waits, std::span<Event* const> node_marks) {
  State& s = *state_;
  Backend& backend = *s.backend;
  for (const IoSlot& in : s.inputs)
    if (in.device && in.bytes)
      FI_RETURN_IF_ERROR(backend.copy_to_device(const_cast<void*>(in.device), in.staging, in.bytes, *s.queue));
  for (size_t n = 0; n < s.bound.size(); ++n) {
    if (n < node_waits.size() && node_waits[n]) FI_RETURN_IF_ERROR(backend.wait(*s.queue, *node_waits[n]));
    if (n < node_marks.size()) FI_RETURN_IF_ERROR(backend.record(*node_marks[n], *s.queue));
    const BoundNode& b = s.bound[n];
    if (b.skip) continue;
    Status status = s.compiled->run_node(n, b.inputs, b.outputs, b.workspace, *s.queue);
    if (!status.is_ok()) {
      const Node& node = s.graph.nodes[n];
      return status.with_context("node '" + node.name + "' (" + node.op + ")");
    }
  }
  if (node_waits.size() > s.bound.size() && node_waits.back())
    FI_RETURN_IF_ERROR(backend.wait(*s.queue, *node_waits.back()));
  if (node_marks.size() > s.bound.size()) FI_RETURN_IF_ERROR(backend.record(*node_marks.back(), *s.queue));
  for (const IoSlot& out : s.outputs)
    if (out.bytes) FI_RETURN_IF_ERROR(backend.copy_to_host(out.staging, out.device, out.bytes, *s.queue));
  return Status::ok();
}

Status Session::stage_inputs(const std::map<std::string, HostTensor>& inputs) {
  State& s = *state_;
  const Graph& g = s.graph;
  for (const auto& [name, tensor] : inputs) {
    bool known = false;
    for (const GraphIo& io : g.inputs) known |= io.name == name;
    if (!known) return Status::error("'" + name + "' is not an input of model '" + g.name + "'");
  }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const GraphIo& io = g.inputs[i];
    auto it = inputs.find(io.name);
    if (it == inputs.end()) return Status::error("input '" + io.name + "' was not given");
    FI_RETURN_IF_ERROR(check_input(g, io, it->second));
    if (s.inputs[i].bytes) std::memcpy(s.inputs[i].staging, it->second.bytes.data(), s.inputs[i].bytes);
  }
  return Status::ok();
}

Result<std::vector<double>> Session::profile_run(const std::map<std::string, HostTensor>& inputs) {
  State& s = *state_;
  FI_RETURN_IF_ERROR(stage_inputs(inputs));
  const size_t n = s.bound.size();
  std::vector<std::unique_ptr<Event>> events;
  std::vector<Event*> marks;
  for (size_t i = 0; i <= n; ++i) {
    FI_ASSIGN_OR_RETURN(std::unique_ptr<Event> e, s.backend->create_event());
    marks.push_back(e.get());
    events.push_back(std::move(e));
  }
  Status enqueued = enqueue_run({}, marks);
  Status synced = s.backend->synchronize(*s.queue);
  FI_RETURN_IF_ERROR(enqueued);
  FI_RETURN_IF_ERROR(synced);
  FI_RETURN_IF_ERROR(s.take_data_error());
  std::vector<double> ms(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    if (s.bound[i].skip) continue;
    FI_ASSIGN_OR_RETURN(ms[i], s.backend->elapsed_ms(*marks[i], *marks[i + 1]));
  }
  return ms;
}

Result<std::vector<HostTensor>> Session::run(const std::map<std::string, HostTensor>& inputs,
                                             std::span<const Event* const> node_waits) {
  State& s = *state_;
  const Graph& g = s.graph;
  FI_RETURN_IF_ERROR(stage_inputs(inputs));

  Status enqueued = Status::ok();
  if (!node_waits.empty()) {
    enqueued = enqueue_run(node_waits);
  } else if (s.recording) {
    enqueued = s.backend->replay(*s.recording, *s.queue);
  } else if (s.runs > 0 && !s.recording_tried) {
    // The second run of these shapes: record it once, then replay it from now on.
    s.recording_tried = true;
    // A run that cannot be recorded (a library call that refuses capture) still runs: this
    // and later runs are enqueued node by node; a real error shows up in that run.
    Result<std::unique_ptr<Recording>> recorded = s.backend->record_work(*s.queue, [&] { return enqueue_run({}); });
    if (recorded.is_ok()) s.recording = std::move(*recorded);
    enqueued = s.recording ? s.backend->replay(*s.recording, *s.queue) : enqueue_run({});
  } else {
    enqueued = enqueue_run({});
  }
  Status synced = s.backend->synchronize(*s.queue);
  FI_RETURN_IF_ERROR(enqueued);
  FI_RETURN_IF_ERROR(synced);
  ++s.runs;
  FI_RETURN_IF_ERROR(s.take_data_error());

  std::vector<HostTensor> outputs;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const Tensor& t = g.tensors[g.outputs[i].tensor];
    HostTensor out = HostTensor::zeros(t.dtype, t.shape);
    out.name = g.outputs[i].name;
    if (s.outputs[i].bytes) std::memcpy(out.bytes.data(), s.outputs[i].staging, s.outputs[i].bytes);
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace fusedinf
