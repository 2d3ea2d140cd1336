// The CPU backend: host memory as device memory, the reference kernels as its kernels.
// Compute queues run work inline on the calling thread; copy queues run it, in order, on a
// worker thread of their own, so that a pipelined swap-in really overlaps copying and
// computing and its waits are exercised on machines without a GPU.
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "kernels/cpu/cpu_kernels.h"
#include "runtime/backend.h"

namespace fusedinf {

namespace {

using Clock = std::chrono::steady_clock;

// An event's state is shared with the queue tasks that reach or wait for it, so that an Event
// may be destroyed while work referring to it is still queued (as a CUDA event may).
struct CpuEventState {
  std::mutex mutex;
  std::condition_variable cv;
  bool reached = true;  // a new event counts as reached (as a CUDA event never recorded)
  Clock::time_point time = Clock::now();

  void arm() {
    std::lock_guard<std::mutex> lock(mutex);
    reached = false;
  }
  void reach() {
    std::lock_guard<std::mutex> lock(mutex);
    reached = true;
    time = Clock::now();
    cv.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return reached; });
  }
  Result<Clock::time_point> reached_at() {
    std::lock_guard<std::mutex> lock(mutex);
    if (!reached) return Status::error("cpu backend: event not reached yet");
    return time;
  }
};

class CpuEvent final : public Event {
 public:
  std::shared_ptr<CpuEventState> state = std::make_shared<CpuEventState>();
};

class CpuQueue final : public Queue {
 public:
  explicit CpuQueue(QueueKind kind) : kind_(kind) {
    if (kind_ == QueueKind::kCopy) worker_ = std::thread([this] { work(); });
  }
  ~CpuQueue() override {
    if (!worker_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  // Compute queues run work inline: callers do it directly, with no std::function.
  bool runs_inline() const { return kind_ == QueueKind::kCompute; }
  // Runs `task` now (compute queue) or after everything enqueued before it (copy queue).
  void enqueue(std::function<void()> task) {
    if (runs_inline()) return task();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_all();
  }
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return tasks_.empty() && !busy_; });
  }

 private:
  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything enqueued has run
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      busy_ = true;
      lock.unlock();
      task();
      lock.lock();
      busy_ = false;
      if (tasks_.empty()) done_.notify_all();
    }
  }

  const QueueKind kind_;
  std::mutex mutex_;
  std::condition_variable cv_, done_;
  std::deque<std::function<void()>> tasks_;
  bool busy_ = false, stopping_ = false;
  std::thread worker_;
};

class CpuCompiledGraph final : public CompiledGraph {
 public:
  explicit CpuCompiledGraph(const Graph& graph) : nodes_(graph.nodes), workspace_(cpu::cpu_workspace_per_node(graph)) {
    for (const Node& node : nodes_) kernels_.push_back(cpu::find_cpu_backend_kernel(node.op)->run);
  }
  const std::vector<uint64_t>& workspace_per_node() const override { return workspace_; }
  Status run_node(size_t n, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs,
                  std::span<uint8_t> workspace, Queue&) override {
    return kernels_[n](cpu::KernelArgs{nodes_[n], inputs, outputs, workspace});
  }

 private:
  std::vector<Node> nodes_;
  std::vector<uint64_t> workspace_;
  std::vector<cpu::KernelFn> kernels_;
};

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(CpuBackendOptions options) : options_(options) {}
  std::string_view name() const override { return "cpu"; }
  bool device_is_host() const override { return true; }
  Result<void*> allocate(uint64_t bytes) override {
    const uint64_t rounded = (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded);
    if (!p) return Status::error("cpu backend: cannot allocate " + std::to_string(bytes) + " bytes");
    if (options_.poison_allocations) std::memset(p, 0xFF, rounded);
    return p;
  }
  void release(void* p) override { std::free(p); }
  Result<void*> allocate_staging(uint64_t bytes) override { return allocate(bytes); }
  void release_staging(void* p) override { std::free(p); }

  Result<std::unique_ptr<Queue>> create_queue(QueueKind kind) override {
    return std::unique_ptr<Queue>(std::make_unique<CpuQueue>(kind));
  }
  Result<std::unique_ptr<Event>> create_event() override {
    return std::unique_ptr<Event>(std::make_unique<CpuEvent>());
  }

  Status copy_to_device(void* dst, const void* src, uint64_t bytes, Queue& queue) override {
    const double seconds = options_.copy_bytes_per_second > 0 ? bytes / options_.copy_bytes_per_second : 0;
    auto& q = static_cast<CpuQueue&>(queue);
    if (q.runs_inline() && seconds == 0) {  // a run's input copies: no allocation
      if (bytes) std::memcpy(dst, src, bytes);
      return Status::ok();
    }
    q.enqueue([=] {
      const auto start = Clock::now();
      if (bytes) std::memcpy(dst, src, bytes);
      if (seconds > 0) std::this_thread::sleep_until(start + std::chrono::duration<double>(seconds));
    });
    return Status::ok();
  }
  Status copy_to_host(void* dst, const void* src, uint64_t bytes, Queue& queue) override {
    auto& q = static_cast<CpuQueue&>(queue);
    if (q.runs_inline()) {  // a run's output copies: no allocation
      if (bytes) std::memcpy(dst, src, bytes);
      return Status::ok();
    }
    q.enqueue([=] {
      if (bytes) std::memcpy(dst, src, bytes);
    });
    return Status::ok();
  }
  Status record(Event& event, Queue& queue) override {
    std::shared_ptr<CpuEventState> e = static_cast<CpuEvent&>(event).state;
    e->arm();
    static_cast<CpuQueue&>(queue).enqueue([e] { e->reach(); });
    return Status::ok();
  }
  Status wait(Queue& queue, const Event& event) override {
    std::shared_ptr<CpuEventState> e = static_cast<const CpuEvent&>(event).state;
    static_cast<CpuQueue&>(queue).enqueue([e] { e->wait(); });
    return Status::ok();
  }
  Status synchronize(Queue& queue) override {
    static_cast<CpuQueue&>(queue).drain();
    return Status::ok();
  }
  Result<double> elapsed_ms(const Event& start, const Event& end) override {
    FI_ASSIGN_OR_RETURN(Clock::time_point a, static_cast<const CpuEvent&>(start).state->reached_at());
    FI_ASSIGN_OR_RETURN(Clock::time_point b, static_cast<const CpuEvent&>(end).state->reached_at());
    return std::chrono::duration<double, std::milli>(b - a).count();
  }

  bool supports(const Node& node) const override { return cpu::find_cpu_kernel(node.op) != nullptr; }
  Result<std::unique_ptr<CompiledGraph>> compile(const Graph& graph) override {
    for (const Node& node : graph.nodes)
      if (!supports(node))
        return Status::error("node '" + node.name + "': the CPU backend has no kernel for op '" + node.op + "'");
    return std::unique_ptr<CompiledGraph>(std::make_unique<CpuCompiledGraph>(graph));
  }

 private:
  CpuBackendOptions options_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(CpuBackendOptions options) { return std::make_unique<CpuBackend>(options); }

}  // namespace fusedinf
