#include "runtime/cuda/cuda_backend.h"

#include <mutex>
#include <vector>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/device_info.h"

namespace fusedinf {

namespace {

Status cuda_check(cudaError_t err, const std::string& what) {
  if (err == cudaSuccess) return Status::ok();
  return Status::error("cuda backend: " + what + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

// One set of library handles; the backend keeps the idle ones for the next compute queue,
// since creating cuDNN and cuBLAS handles is slow.
struct HandleSet {
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t cublaslt = nullptr;
  cudnnHandle_t cudnn = nullptr;
  ~HandleSet() {
    if (cudnn) cudnnDestroy(cudnn);
    if (cublaslt) cublasLtDestroy(cublaslt);
    if (cublas) cublasDestroy(cublas);
  }
  static Result<std::unique_ptr<HandleSet>> create() {
    auto h = std::make_unique<HandleSet>();
    if (cublasCreate(&h->cublas) != CUBLAS_STATUS_SUCCESS) return Status::error("cuda backend: cublasCreate failed");
    if (cublasLtCreate(&h->cublaslt) != CUBLAS_STATUS_SUCCESS)
      return Status::error("cuda backend: cublasLtCreate failed");
    if (cudnnCreate(&h->cudnn) != CUDNN_STATUS_SUCCESS) return Status::error("cuda backend: cudnnCreate failed");
    return h;
  }
};

class CudaBackend;

class CudaQueue final : public Queue {
 public:
  CudaQueue(CudaBackend* backend, cudaStream_t stream, std::unique_ptr<HandleSet> handles, cuda::Options options);
  ~CudaQueue() override;
  cudaStream_t stream() const { return handles_.stream; }
  const cuda::Handles& handles() const { return handles_; }
  // The data-error word as the host sees it (null on a copy queue); see Handles::data_error.
  volatile unsigned long long* data_error_host() const { return data_error_host_; }
  void set_data_error_word(unsigned long long* host, unsigned long long* device) {
    data_error_host_ = host;
    handles_.data_error = device;
  }

 private:
  CudaBackend* backend_;
  std::unique_ptr<HandleSet> owned_;  // null on a copy queue
  cuda::Handles handles_;
  unsigned long long* data_error_host_ = nullptr;  // pinned, mapped; freed with the queue
};

class CudaEvent final : public Event {
 public:
  explicit CudaEvent(cudaEvent_t e) : event(e) {}
  ~CudaEvent() override { cudaEventDestroy(event); }
  cudaEvent_t event;
};

class CudaRecording final : public Recording {
 public:
  CudaRecording(cudaGraph_t g, cudaGraphExec_t e) : graph(g), exec(e) {}
  ~CudaRecording() override {
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
  }
  cudaGraph_t graph;
  cudaGraphExec_t exec;
};

class CudaCompiledGraph final : public CompiledGraph {
 public:
  std::vector<Node> nodes;
  std::vector<const cuda::CudaKernel*> kernels;
  std::vector<std::unique_ptr<cuda::NodeState>> states;
  std::vector<uint64_t> workspace;

  const std::vector<uint64_t>& workspace_per_node() const override { return workspace; }
  std::string describe_node(size_t n) const override {
    return n < states.size() && states[n] ? states[n]->describe() : "";
  }
  Status run_node(size_t n, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs,
                  std::span<uint8_t> ws, Queue& queue) override {
    const auto& q = static_cast<const CudaQueue&>(queue);
    return kernels[n]->run(
        cuda::KernelArgs{nodes[n], inputs, outputs, ws, q.handles(), states[n].get(), static_cast<int64_t>(n)});
  }
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(CudaBackendOptions options) : options_(options) {}
  ~CudaBackend() override { idle_handles_.clear(); }
  std::string_view name() const override { return "cuda"; }
  bool device_is_host() const override { return false; }

  Result<void*> allocate(uint64_t bytes) override {
    FI_RETURN_IF_ERROR(use_device());
    void* p = nullptr;
    FI_RETURN_IF_ERROR(
        cuda_check(cudaMalloc(&p, std::max<uint64_t>(bytes, 1)), "cudaMalloc of " + std::to_string(bytes) + " bytes"));
    if (options_.poison_allocations) {
      // cudaMemset on device memory is asynchronous on the legacy stream, which our non-blocking
      // streams do not wait for: finish it here, or it could overwrite a later upload.
      Status s = cuda_check(cudaMemsetAsync(p, 0xFF, std::max<uint64_t>(bytes, 1), cudaStreamLegacy),
                            "poisoning an allocation");
      if (s.is_ok()) s = cuda_check(cudaStreamSynchronize(cudaStreamLegacy), "poisoning an allocation");
      if (!s.is_ok()) {
        cudaFree(p);
        return s;
      }
    }
    return p;
  }
  void release(void* p) override { cudaFree(p); }
  Result<void*> allocate_staging(uint64_t bytes) override {
    FI_RETURN_IF_ERROR(use_device());
    void* p = nullptr;
    FI_RETURN_IF_ERROR(cuda_check(cudaHostAlloc(&p, std::max<uint64_t>(bytes, 1), cudaHostAllocDefault),
                                  "cudaHostAlloc (pinned) of " + std::to_string(bytes) + " bytes"));
    return p;
  }
  void release_staging(void* p) override { cudaFreeHost(p); }

  Result<std::unique_ptr<Queue>> create_queue(QueueKind kind) override {
    FI_RETURN_IF_ERROR(use_device());
    std::unique_ptr<HandleSet> handles;
    if (kind == QueueKind::kCompute) {
      FI_ASSIGN_OR_RETURN(handles, take_handles());
    }
    cudaStream_t stream = nullptr;
    Status created = cuda_check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    // Every library call of this queue's kernels must go to its stream (ordering, graph capture).
    if (created.is_ok() && handles &&
        (cublasSetStream(handles->cublas, stream) != CUBLAS_STATUS_SUCCESS ||
         cudnnSetStream(handles->cudnn, stream) != CUDNN_STATUS_SUCCESS)) {
      created = Status::error("cuda backend: binding the cuBLAS/cuDNN handles to a new stream failed");
      cudaStreamDestroy(stream);
    }
    if (!created.is_ok()) {
      if (handles) give_back_handles(std::move(handles));
      return created;
    }
    auto queue = std::make_unique<CudaQueue>(this, stream, std::move(handles), kernel_options());
    if (kind == QueueKind::kCompute) {
      // Kernels report bad data by writing this word in host memory (no copy, no sync added
      // to a run; the address stays valid in recorded graphs). 0 = nothing to report.
      void* host = nullptr;
      void* device = nullptr;
      FI_RETURN_IF_ERROR(cuda_check(cudaHostAlloc(&host, sizeof(unsigned long long), cudaHostAllocMapped),
                                    "cudaHostAlloc of the data-error word"));
      *static_cast<unsigned long long*>(host) = 0;
      Status mapped = cuda_check(cudaHostGetDevicePointer(&device, host, 0), "mapping the data-error word");
      if (!mapped.is_ok()) {
        cudaFreeHost(host);
        return mapped;
      }
      queue->set_data_error_word(static_cast<unsigned long long*>(host), static_cast<unsigned long long*>(device));
    }
    return std::unique_ptr<Queue>(std::move(queue));
  }
  Result<std::unique_ptr<Event>> create_event() override {
    FI_RETURN_IF_ERROR(use_device());
    cudaEvent_t e = nullptr;
    FI_RETURN_IF_ERROR(cuda_check(cudaEventCreate(&e), "cudaEventCreate"));
    return std::unique_ptr<Event>(std::make_unique<CudaEvent>(e));
  }

  Status copy_to_device(void* dst, const void* src, uint64_t bytes, Queue& queue) override {
    if (!bytes) return Status::ok();
    return cuda_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_of(queue)),
                      "copy of " + std::to_string(bytes) + " bytes to the device");
  }
  Status copy_to_host(void* dst, const void* src, uint64_t bytes, Queue& queue) override {
    if (!bytes) return Status::ok();
    return cuda_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_of(queue)),
                      "copy of " + std::to_string(bytes) + " bytes to the host");
  }
  Status record(Event& event, Queue& queue) override {
    return cuda_check(cudaEventRecord(static_cast<CudaEvent&>(event).event, stream_of(queue)), "cudaEventRecord");
  }
  Status wait(Queue& queue, const Event& event) override {
    return cuda_check(cudaStreamWaitEvent(stream_of(queue), static_cast<const CudaEvent&>(event).event, 0),
                      "cudaStreamWaitEvent");
  }
  Status synchronize(Queue& queue) override {
    return cuda_check(cudaStreamSynchronize(stream_of(queue)), "cudaStreamSynchronize");
  }
  Result<double> elapsed_ms(const Event& start, const Event& end) override {
    float ms = 0;
    FI_RETURN_IF_ERROR(cuda_check(
        cudaEventElapsedTime(&ms, static_cast<const CudaEvent&>(start).event, static_cast<const CudaEvent&>(end).event),
        "cudaEventElapsedTime"));
    return static_cast<double>(ms);
  }

  int64_t take_data_error(Queue& queue) override {
    volatile unsigned long long* word = static_cast<CudaQueue&>(queue).data_error_host();
    if (!word || *word == 0) return -1;
    const int64_t node = static_cast<int64_t>(*word) - 1;
    *word = 0;
    return node;
  }

  bool supports(const Node& node) const override { return cuda::find_cuda_kernel(node.op) != nullptr; }

  Result<std::unique_ptr<CompiledGraph>> compile(const Graph& graph) override {
    FI_RETURN_IF_ERROR(use_device());
    FI_ASSIGN_OR_RETURN(std::unique_ptr<HandleSet> handles, take_handles());
    cuda::Handles h{nullptr, handles->cublas, handles->cublaslt, handles->cudnn, kernel_options()};
    auto compiled = std::make_unique<CudaCompiledGraph>();
    compiled->nodes = graph.nodes;
    Status status = Status::ok();
    for (const Node& node : graph.nodes) {
      const cuda::CudaKernel* kernel = cuda::find_cuda_kernel(node.op);
      if (!kernel) {
        status = Status::error("node '" + node.name + "': the CUDA backend has no kernel for op '" + node.op + "'");
        break;
      }
      cuda::Prepared prepared;
      if (kernel->prepare) {
        Result<cuda::Prepared> r = kernel->prepare(cuda::PrepareArgs{graph, node, h});
        if (!r.is_ok()) {
          status = r.status().with_context("node '" + node.name + "' (" + node.op + ") on CUDA");
          break;
        }
        prepared = std::move(*r);
      }
      compiled->kernels.push_back(kernel);
      compiled->states.push_back(std::move(prepared.state));
      compiled->workspace.push_back(prepared.workspace_bytes);
    }
    give_back_handles(std::move(handles));
    FI_RETURN_IF_ERROR(status);
    return std::unique_ptr<CompiledGraph>(std::move(compiled));
  }

  Result<std::unique_ptr<Recording>> record_work(Queue& queue, const std::function<Status()>& enqueue) override {
    if (!options_.use_graphs) return std::unique_ptr<Recording>();
    cudaStream_t stream = stream_of(queue);
    FI_RETURN_IF_ERROR(
        cuda_check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture"));
    Status enqueued = enqueue();
    cudaGraph_t graph = nullptr;
    Status ended = cuda_check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
    if (!enqueued.is_ok() || !ended.is_ok()) {
      if (graph) cudaGraphDestroy(graph);
      cudaGetLastError();  // a refused capture leaves its error behind; the caller runs uncaptured
      return enqueued.is_ok() ? ended : enqueued.with_context("while capturing a CUDA graph");
    }
    cudaGraphExec_t exec = nullptr;
    Status instantiated = cuda_check(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");
    if (!instantiated.is_ok()) {
      cudaGraphDestroy(graph);
      return instantiated;
    }
    return std::unique_ptr<Recording>(std::make_unique<CudaRecording>(graph, exec));
  }
  Status replay(Recording& recording, Queue& queue) override {
    return cuda_check(cudaGraphLaunch(static_cast<CudaRecording&>(recording).exec, stream_of(queue)),
                      "cudaGraphLaunch");
  }

  // Idle handles are bound to the default stream, never to a stream that may be destroyed.
  void give_back_handles(std::unique_ptr<HandleSet> handles) {
    cublasSetStream(handles->cublas, nullptr);
    cudnnSetStream(handles->cudnn, nullptr);
    std::lock_guard<std::mutex> lock(mutex_);
    idle_handles_.push_back(std::move(handles));
  }

 private:
  static cudaStream_t stream_of(Queue& queue) { return static_cast<CudaQueue&>(queue).stream(); }
  cuda::Options kernel_options() const { return cuda::Options{options_.allow_tf32, options_.library_epilogues}; }
  Status use_device() const { return cuda_check(cudaSetDevice(options_.device), "cudaSetDevice"); }
  Result<std::unique_ptr<HandleSet>> take_handles() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_handles_.empty()) {
        std::unique_ptr<HandleSet> h = std::move(idle_handles_.back());
        idle_handles_.pop_back();
        return h;
      }
    }
    return HandleSet::create();
  }

  CudaBackendOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<HandleSet>> idle_handles_;
};

CudaQueue::CudaQueue(CudaBackend* backend, cudaStream_t stream, std::unique_ptr<HandleSet> handles,
                     cuda::Options options)
    : backend_(backend), owned_(std::move(handles)) {
  handles_.stream = stream;
  handles_.options = options;
  if (owned_) {
    handles_.cublas = owned_->cublas;
    handles_.cublaslt = owned_->cublaslt;
    handles_.cudnn = owned_->cudnn;  // bound to `stream` by create_queue
  }
}

CudaQueue::~CudaQueue() {
  cudaStreamSynchronize(handles_.stream);
  if (owned_) backend_->give_back_handles(std::move(owned_));  // unbinds them from the stream first
  cudaStreamDestroy(handles_.stream);
  if (data_error_host_) cudaFreeHost(data_error_host_);
}

}  // namespace

bool cuda_device_available() { return cuda::device_count() > 0; }

Result<std::unique_ptr<Backend>> make_cuda_backend(CudaBackendOptions options) {
  const int count = cuda::device_count();
  if (count == 0) return Status::error("backend 'cuda': " + cuda::describe_device());
  if (options.device < 0 || options.device >= count)
    return Status::error("backend 'cuda': device " + std::to_string(options.device) + " does not exist (" +
                         std::to_string(count) + " found)");
  return std::unique_ptr<Backend>(std::make_unique<CudaBackend>(options));
}

}  // namespace fusedinf
