// The backend interface: what a device must provide so that models can be placed and run on
// it. The CPU backend (runtime/cpu_backend.cpp) implements it with host memory; the CUDA
// backend (runtime/cuda/cuda_backend.cpp) with device memory, streams and events. Adding an
// accelerator means writing a class like these plus its kernels, nothing else.
//
// Work is enqueued on Queues and runs in queue order (a CUDA stream). Copies and kernels are
// asynchronous: the host sees their results after synchronize(). An Event marks a point in a
// queue; another queue can wait for it without blocking the host (pipelined swap-in: the
// compute queue waits for the copy queue's chunk events).
//
// Phases: allocate, create queues and events, and compile() outside runs; a run only enqueues
// (no allocation, no host synchronisation but the final one, no implicit copy).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "engine/tensor_view.h"

namespace fusedinf {

// An ordered queue of work (a CUDA stream).
class Queue {
 public:
  virtual ~Queue() = default;
};

// A point recorded in a queue (a CUDA event).
class Event {
 public:
  virtual ~Event() = default;
};

// A recorded sequence of enqueued work that can be replayed as one unit (a CUDA graph).
class Recording {
 public:
  virtual ~Recording() = default;
};

enum class QueueKind { kCompute, kCopy };

// A graph's kernels chosen for one backend: per node its kernel, the state prepared for it
// (descriptors, algorithm) and its workspace. Built from the host graph (constants readable
// on the host); independent of where tensors and weights will live, so one compilation
// serves every placement of the same graph.
class CompiledGraph {
 public:
  virtual ~CompiledGraph() = default;
  // Device workspace bytes per node (0 where none), for plan_activations.
  virtual const std::vector<uint64_t>& workspace_per_node() const = 0;
  // Enqueues node `n` on `queue` over device views of its tensors and workspace.
  virtual Status run_node(size_t n, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs,
                          std::span<uint8_t> workspace, Queue& queue) = 0;
  // How node `n` runs where the backend chose something (library, algorithm, fused epilogue),
  // for `fusedinf run --explain`; "" when there is nothing to say.
  virtual std::string describe_node(size_t /*n*/) const { return ""; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // True when device memory is host memory (the CPU): constants of a mapped .fim can be used
  // in place and nothing needs uploading.
  virtual bool device_is_host() const = 0;

  // Device memory, 64-byte aligned. Fails with a Status, never aborts.
  virtual Result<void*> allocate(uint64_t bytes) = 0;
  virtual void release(void* device_ptr) = 0;
  // Host memory the device copies from fastest (pinned on a GPU), 64-byte aligned.
  virtual Result<void*> allocate_staging(uint64_t bytes) = 0;
  virtual void release_staging(void* host_ptr) = 0;

  virtual Result<std::unique_ptr<Queue>> create_queue(QueueKind kind) = 0;
  virtual Result<std::unique_ptr<Event>> create_event() = 0;

  // Asynchronous copies enqueued on `queue`. Host memory must stay valid (and unchanged, for
  // copies to the device) until the queue has passed the copy.
  virtual Status copy_to_device(void* device_dst, const void* host_src, uint64_t bytes, Queue& queue) = 0;
  virtual Status copy_to_host(void* host_dst, const void* device_src, uint64_t bytes, Queue& queue) = 0;
  // Marks the current end of `queue` with `event`.
  virtual Status record(Event& event, Queue& queue) = 0;
  // Work enqueued on `queue` after this call starts only once `event` has been reached.
  virtual Status wait(Queue& queue, const Event& event) = 0;
  // The host waits for everything enqueued on `queue` so far.
  virtual Status synchronize(Queue& queue) = 0;
  // Milliseconds between two reached events.
  virtual Result<double> elapsed_ms(const Event& start, const Event& end) = 0;
  // Errors that kernels found in the data of the work run on `queue` since the last call
  // and could not return as a Status (a device kernel meeting an index out of range): the
  // index of the first node that reported one, or -1; clears the report. Call after
  // synchronize(). Backends whose kernels return every error directly keep the default.
  virtual int64_t take_data_error(Queue& queue) {
    (void)queue;
    return -1;
  }

  // Whether this backend has a kernel for the node.
  virtual bool supports(const Node& node) const = 0;
  // Picks a kernel for every node of `graph` and prepares it; fails naming the first node no
  // kernel accepts.
  virtual Result<std::unique_ptr<CompiledGraph>> compile(const Graph& graph) = 0;

  // Records what `enqueue` puts on `queue` for replay, or returns nullptr when this backend
  // cannot record (then callers enqueue every time). Nothing recorded runs until replay().
  virtual Result<std::unique_ptr<Recording>> record_work(Queue& queue, const std::function<Status()>& enqueue) {
    (void)queue, (void)enqueue;
    return std::unique_ptr<Recording>();
  }
  virtual Status replay(Recording& recording, Queue& queue) {
    (void)recording, (void)queue;
    return Status::error(std::string(name()) + " backend: cannot replay recorded work");
  }
};

struct CpuBackendOptions {
  // Models a host-to-device link: copies on a copy queue take bytes / this long (0: memcpy
  // speed). For exercising pipelined swap-in and the pool's policies without a GPU.
  double copy_bytes_per_second = 0;
  // Fills every allocation with 0xFF bytes (NaN as float), so that reading memory nothing
  // wrote shows up in outputs.
  bool poison_allocations = false;
};

// Host memory as device memory. Compute queues run work on the calling thread as it is
// enqueued; copy queues run it in order on a worker thread of their own.
std::unique_ptr<Backend> make_cpu_backend(CpuBackendOptions options = {});

// Numerics a backend may trade for speed; off unless asked (fp32 results by default).
struct BackendOptions {
  bool allow_tf32 = false;  // CUDA: TF32 tensor cores in cuBLAS and cuDNN for fp32 (about 10-bit mantissas)
  // CUDA: bias and activation inside cuDNN/cuBLASLt calls where they fuse them (else a kernel of ours).
  bool library_epilogues = true;
};

// "cpu", "cuda", or "auto" (CUDA when a device is usable, else the CPU). The error names
// what is missing: an unknown name, a build without CUDA, or no usable device.
Result<std::unique_ptr<Backend>> make_backend(std::string_view name, const BackendOptions& options = {});
// Backends this build can make, e.g. {"cpu", "cuda"}.
std::vector<std::string_view> built_backends();
// Whether make_backend(name) would succeed on this machine.
bool backend_available(std::string_view name);

}  // namespace fusedinf
