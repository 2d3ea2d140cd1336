// The on-demand model pool: many registered models, a device-memory budget smaller than their
// sum, and run(name, inputs) from any thread.
//
// - A model that is not resident is swapped in: its weights copied to backend memory and an
//   arena allocated for its activations. When the budget is short, least-recently-used models
//   that no request is using are evicted; a request waits while every other resident model
//   is busy. A model larger than the whole budget is refused at registration.
// - Identical weight buffers (content hash, then bytes) of models resident at once live on
//   the device once, reference-counted: swapping in a fine-tune next to its base model copies
//   only the weights that differ, and a buffer is freed with its last user.
// - In-flight requests are never disturbed: a model in use is never evicted.
// - Pipelined swap-in: the weights to copy go through the backend's copy queue in chunks,
//   each followed by an event; the first run after a swap-in starts at once and each node
//   waits only for the chunk that completes its weights (runtime/swap_plan.h). A model whose
//   weights are shared with another model still being copied waits for that model's chunks.
// - Staging: at registration each model's weights are read once from the mapped file into one
//   staging region (backend host memory, pinned on a GPU), in first-use order, so a swap-in is
//   a pure host-to-device copy. Staging has its own budget; a model that does not fit is
//   swapped in from the mapped file instead (pageable reads).
// Every byte the pool takes from the backend goes through its accounting, which never exceeds
// the budget.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "runtime/backend.h"

namespace fusedinf {

struct ModelMetrics {
  uint64_t requests = 0, swap_ins = 0, evictions = 0;
  uint64_t bytes_copied = 0;
  double copy_ms = 0;   // host-to-device copies of weights: first chunk enqueued to last chunk done
  double swap_ms = 0;   // swap-in set-up on the host: allocation, enqueuing copies, session set-up
  double cold_ms = 0;   // swap-in start to the first result after it (copy overlapped with compute)
  double queue_ms = 0;  // request start to run start (waiting for memory or the model)
  double run_ms = 0;
  double bandwidth_gbps() const { return copy_ms > 0 ? bytes_copied / (copy_ms * 1e6) : 0; }
};

struct SwapOptions {
  uint64_t chunk_bytes = 1 << 20;  // copy granularity of a pipelined swap-in
  bool pipelined = true;           // false: the first run waits for the whole copy
};

class ModelPool {
 public:
  ModelPool(Backend& backend, uint64_t budget_bytes, uint64_t staging_budget_bytes = 0, SwapOptions swap = {});
  ~ModelPool();
  ModelPool(const ModelPool&) = delete;
  ModelPool& operator=(const ModelPool&) = delete;

  // Registers a model (a graph loaded from a .fim, single or fused group) under `name`.
  Status register_model(const std::string& name, Graph graph);
  // Runs `name` on `inputs` (by input name); swaps it in first when needed. Thread-safe.
  Result<std::vector<HostTensor>> run(const std::string& name, const std::map<std::string, HostTensor>& inputs);

  ModelMetrics metrics(const std::string& name) const;
  std::vector<std::string> model_names() const;
  std::vector<std::string> resident_models() const;  // least recently used first
  uint64_t used_bytes() const;                       // backend bytes held now
  uint64_t peak_bytes() const;                       // most ever held at once
  uint64_t budget_bytes() const { return budget_; }
  uint64_t staging_bytes() const;                 // staging memory held
  bool is_staged(const std::string& name) const;  // weights staged (else read from the file)
  // Bytes a model needs when nothing is shared: its distinct weights plus its arena.
  Result<uint64_t> footprint(const std::string& name) const;

 private:
  struct DeviceBuffer;
  struct Resident;
  struct Entry;

  Result<std::shared_ptr<Resident>> acquire(Entry& entry, std::unique_lock<std::mutex>& lock);
  uint64_t missing_bytes(const Entry& entry) const;
  bool evict_one_idle(const Entry& keep);
  Result<void*> allocate(uint64_t bytes);
  void release(void* p, uint64_t bytes);
  Status enqueue_copies(Entry& entry, Resident& resident);
  void forget_finished_copies(Resident& resident);

  Backend& backend_;
  const uint64_t budget_;
  const uint64_t staging_budget_;
  const SwapOptions swap_;
  std::unique_ptr<Queue> copy_queue_;  // null when the backend could not make one (then register fails)
  Status copy_queue_status_;
  int64_t events_recorded_ = 0;  // copy events so far: their order on the one copy queue
  uint64_t staging_used_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  uint64_t used_ = 0, peak_ = 0;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  std::list<Entry*> lru_;  // resident models, least recently used first
  // Resident device buffers by content hash (several when hashes collide).
  std::map<std::pair<uint64_t, uint64_t>, std::vector<std::weak_ptr<DeviceBuffer>>> buffers_;
};

}  // namespace fusedinf
