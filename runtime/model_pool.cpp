#include "runtime/model_pool.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "format/fim_file.h"
#include "runtime/session.h"
#include "runtime/swap_plan.h"

namespace fusedinf {

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
uint64_t rounded(uint64_t bytes) { return (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64; }
}  // namespace

// One weight buffer in backend memory. Destroyed only with the pool's mutex held (see
// run()), so its release updates the accounting safely.
struct ModelPool::DeviceBuffer {
  ModelPool* pool;
  void* ptr;
  uint64_t size;
  const uint8_t* host;           // the registered host bytes it was copied from (for comparisons)
  std::shared_ptr<Event> ready;  // the copy event that completes it; null once known complete
  int64_t ready_rank = -1;       // that event's place in the copy queue's order
  ~DeviceBuffer() { pool->release(ptr, size); }
};

// A model's device state: its weights (shared with other residents where equal), its arena,
// the session that runs it, and until its first run has completed, what that run waits for.
struct ModelPool::Resident {
  ModelPool* pool;
  std::vector<std::shared_ptr<DeviceBuffer>> buffers;
  void* arena = nullptr;
  uint64_t arena_bytes = 0;
  std::unique_ptr<Session> session;
  std::vector<const Event*> waits;             // per node plus a final one; empty once copied
  std::vector<std::shared_ptr<Event>> events;  // keeps the waited events alive
  std::shared_ptr<Event> copy_start, copy_end;
  int64_t last_rank = -1;  // the latest copy event this model depends on
  Clock::time_point swap_start;
  ~Resident() {
    session.reset();
    buffers.clear();
    if (arena) pool->release(arena, arena_bytes);
  }
};

struct ModelPool::Entry {
  std::string name;
  Graph graph;                                      // host graph (mapped .fim)
  std::shared_ptr<CompiledGraph> compiled;          // kernels for the backend, prepared once
  std::vector<std::pair<uint64_t, uint64_t>> keys;  // (hash, size) per graph buffer
  uint64_t arena_bytes = 0, footprint = 0;
  std::shared_ptr<Resident> resident;
  int in_flight = 0;
  std::mutex run_mutex;  // a Session runs one request at a time
  ModelMetrics metrics;
  std::vector<const uint8_t*> source;  // per buffer: where swap-ins copy from (staging or the file)
  void* staging = nullptr;
  uint64_t staging_bytes = 0;
};

ModelPool::ModelPool(Backend& backend, uint64_t budget_bytes, uint64_t staging_budget_bytes, SwapOptions swap)
    : backend_(backend), budget_(budget_bytes), staging_budget_(staging_budget_bytes), swap_(swap) {
  Result<std::unique_ptr<Queue>> queue = backend_.create_queue(QueueKind::kCopy);
  if (queue.is_ok())
    copy_queue_ = std::move(*queue);
  else
    copy_queue_status_ = queue.status().with_context("model pool: cannot create the copy queue");
}

ModelPool::~ModelPool() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (copy_queue_) (void)backend_.synchronize(*copy_queue_);  // nothing is freed under a copy
  for (auto& [name, entry] : entries_) {
    entry->resident.reset();
    if (entry->staging) backend_.release_staging(entry->staging);
  }
}

Result<void*> ModelPool::allocate(uint64_t bytes) {
  if (used_ + rounded(bytes) > budget_)
    return Status::error("pool budget exceeded: " + std::to_string(used_) + " + " + std::to_string(rounded(bytes)) +
                         " > " + std::to_string(budget_));
  FI_ASSIGN_OR_RETURN(void* p, backend_.allocate(bytes));
  used_ += rounded(bytes);
  peak_ = std::max(peak_, used_);
  return p;
}

void ModelPool::release(void* p, uint64_t bytes) {
  backend_.release(p);
  used_ -= rounded(bytes);
}

Status ModelPool::register_model(const std::string& name, Graph graph) {
  FI_RETURN_IF_ERROR(copy_queue_status_);
  FI_RETURN_IF_ERROR(graph.validate_structure().with_context("model '" + name + "'"));
  for (const Node& node : graph.nodes)
    if (!backend_.supports(node))
      return Status::error("model '" + name + "': backend " + std::string(backend_.name()) + " has no kernel for " +
                           node.op + " (node '" + node.name + "')");
  auto entry = std::make_unique<Entry>();
  entry->name = name;
  Result<std::unique_ptr<CompiledGraph>> compiled = backend_.compile(graph);
  if (!compiled.is_ok()) return compiled.status().with_context("model '" + name + "'");
  entry->compiled = std::move(*compiled);
  entry->arena_bytes = Session::arena_bytes(Session::plan(graph, *entry->compiled));
  uint64_t weights = 0;
  for (const Buffer& b : graph.buffers) {
    entry->keys.emplace_back(fim_format::content_hash(b.data, b.size), b.size);
    weights += rounded(b.size);
  }
  entry->footprint = weights + rounded(entry->arena_bytes);
  if (entry->footprint > budget_)
    return Status::error("model '" + name + "' needs " + std::to_string(entry->footprint) + " bytes (weights " +
                         std::to_string(weights) + " + arena " + std::to_string(rounded(entry->arena_bytes)) +
                         "), more than the pool's whole budget of " + std::to_string(budget_) + " bytes");
  entry->graph = std::move(graph);
  for (const Buffer& b : entry->graph.buffers) entry->source.push_back(b.data);
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.count(name)) return Status::error("a model named '" + name + "' is already registered");
  // Stage the weights once, in buffer order (the .fim stores them in first-use order).
  if (weights > 0 && staging_used_ + weights <= staging_budget_) {
    Result<void*> region = backend_.allocate_staging(weights);
    if (region.is_ok()) {
      uint8_t* cursor = static_cast<uint8_t*>(*region);
      for (size_t b = 0; b < entry->graph.buffers.size(); ++b) {
        const Buffer& buffer = entry->graph.buffers[b];
        if (buffer.size) std::memcpy(cursor, buffer.data, buffer.size);
        entry->source[b] = cursor;
        cursor += rounded(buffer.size);
      }
      entry->staging = *region;
      entry->staging_bytes = weights;
      staging_used_ += weights;
    }
  }
  entries_[name] = std::move(entry);
  return Status::ok();
}

uint64_t ModelPool::missing_bytes(const Entry& entry) const {
  uint64_t bytes = rounded(entry.arena_bytes);
  for (size_t b = 0; b < entry.keys.size(); ++b) {
    bool resident = false;
    auto it = buffers_.find(entry.keys[b]);
    if (it != buffers_.end())
      for (const auto& weak : it->second)
        if (auto buf = weak.lock(); buf && std::memcmp(buf->host, entry.graph.buffers[b].data, buf->size) == 0)
          resident = true;
    if (!resident) bytes += rounded(entry.keys[b].second);
  }
  return bytes;
}

bool ModelPool::evict_one_idle(const Entry& keep) {
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    Entry* e = *it;
    if (e == &keep || e->in_flight > 0) continue;
    // A model whose first run failed may still have copies in flight into its buffers.
    if (!e->resident->waits.empty()) (void)backend_.synchronize(*copy_queue_);
    e->resident.reset();  // frees what no other resident model shares
    ++e->metrics.evictions;
    lru_.erase(it);
    return true;
  }
  return false;
}

// Enqueues the copies of the buffers this swap-in allocated (those whose `ready` is unset and
// `host` is the entry's), chunk by chunk with an event after each, and sets what the first run
// waits for: per node the latest event among its buffers (its own chunks or, for a shared
// buffer still being copied for another model, that model's).
Status ModelPool::enqueue_copies(Entry& entry, Resident& resident) {
  const size_t num_buffers = resident.buffers.size();
  std::vector<uint64_t> sizes(num_buffers);
  std::vector<bool> copy(num_buffers);
  for (size_t b = 0; b < num_buffers; ++b) {
    sizes[b] = entry.graph.buffers[b].size;
    copy[b] = resident.buffers[b]->ready_rank == -2;  // allocated by this swap-in (acquire())
  }
  const SwapPlan plan = plan_swap(sizes, copy, swap_.chunk_bytes);

  std::vector<std::shared_ptr<Event>> chunk_events;
  if (!plan.chunks.empty()) {
    FI_ASSIGN_OR_RETURN(std::unique_ptr<Event> start, backend_.create_event());
    resident.copy_start = std::move(start);
    FI_RETURN_IF_ERROR(backend_.record(*resident.copy_start, *copy_queue_));
  }
  const int64_t first_rank = events_recorded_;
  for (const std::vector<CopyPiece>& chunk : plan.chunks) {
    for (const CopyPiece& piece : chunk) {
      DeviceBuffer& buf = *resident.buffers[piece.buffer];
      FI_RETURN_IF_ERROR(backend_.copy_to_device(static_cast<uint8_t*>(buf.ptr) + piece.offset,
                                                 entry.source[piece.buffer] + piece.offset, piece.bytes, *copy_queue_));
      entry.metrics.bytes_copied += piece.bytes;
    }
    FI_ASSIGN_OR_RETURN(std::unique_ptr<Event> event, backend_.create_event());
    chunk_events.push_back(std::move(event));
    FI_RETURN_IF_ERROR(backend_.record(*chunk_events.back(), *copy_queue_));
    ++events_recorded_;
  }
  if (!chunk_events.empty()) resident.copy_end = chunk_events.back();
  for (size_t b = 0; b < num_buffers; ++b)
    if (plan.chunk_of_buffer[b] >= 0) {
      resident.buffers[b]->ready = chunk_events[plan.chunk_of_buffer[b]];
      resident.buffers[b]->ready_rank = first_rank + plan.chunk_of_buffer[b];
    }

  // What the first run waits for, by rank; every event is kept alive by the resident.
  std::vector<int64_t> rank(num_buffers, -1);
  std::map<int64_t, std::shared_ptr<Event>> by_rank;
  for (size_t b = 0; b < num_buffers; ++b)
    if (resident.buffers[b]->ready) {
      rank[b] = resident.buffers[b]->ready_rank;
      by_rank[rank[b]] = resident.buffers[b]->ready;
    }
  if (by_rank.empty()) return Status::ok();  // everything was resident and copied already
  resident.last_rank = by_rank.rbegin()->first;
  const std::vector<int64_t> latest = latest_per_node(entry.graph, rank);
  resident.waits.assign(latest.size() + 1, nullptr);
  if (swap_.pipelined) {
    for (size_t n = 0; n < latest.size(); ++n)
      if (latest[n] >= 0) resident.waits[n] = by_rank[latest[n]].get();
  } else if (!latest.empty()) {
    resident.waits[0] = by_rank.rbegin()->second.get();  // the whole copy before the first node
  }
  resident.waits.back() = by_rank.rbegin()->second.get();
  for (auto& [r, event] : by_rank) resident.events.push_back(event);
  return Status::ok();
}

// After a completed run that waited for every copy this model depends on: those copies are
// done, so later runs wait for nothing and other models need not wait for these buffers.
void ModelPool::forget_finished_copies(Resident& resident) {
  for (auto& buf : resident.buffers)
    if (buf->ready && buf->ready_rank <= resident.last_rank) buf->ready.reset();
  resident.events.clear();
}

Result<std::shared_ptr<ModelPool::Resident>> ModelPool::acquire(Entry& entry, std::unique_lock<std::mutex>& lock) {
  while (!entry.resident) {
    if (used_ + missing_bytes(entry) > budget_) {
      if (!evict_one_idle(entry)) idle_.wait(lock);  // every other resident model is busy
      continue;
    }
    // Swap in: reuse equal resident buffers, allocate the others and the arena, set up the
    // session, then enqueue the copies (nothing can fail after them).
    const auto start = Clock::now();
    auto resident = std::make_shared<Resident>();
    resident->pool = this;
    resident->swap_start = start;
    Graph device_graph = entry.graph;
    for (size_t b = 0; b < entry.keys.size(); ++b) {
      const Buffer& host = entry.graph.buffers[b];
      std::shared_ptr<DeviceBuffer> found;
      auto& candidates = buffers_[entry.keys[b]];
      candidates.erase(std::remove_if(candidates.begin(), candidates.end(), [](auto& w) { return w.expired(); }),
                       candidates.end());
      for (const auto& weak : candidates)
        if (auto buf = weak.lock(); buf && std::memcmp(buf->host, host.data, host.size) == 0) found = buf;
      if (!found) {
        FI_ASSIGN_OR_RETURN(void* p, allocate(host.size));
        found = std::shared_ptr<DeviceBuffer>(new DeviceBuffer{this, p, host.size, host.data, nullptr, -2});
        candidates.push_back(found);
      }
      device_graph.buffers[b] = Buffer{found, static_cast<const uint8_t*>(found->ptr), host.size};
      resident->buffers.push_back(std::move(found));
    }
    FI_ASSIGN_OR_RETURN(resident->arena, allocate(entry.arena_bytes));
    resident->arena_bytes = entry.arena_bytes;
    SessionOptions options;
    options.arena = resident->arena;
    options.weights_placed = true;
    options.compiled = entry.compiled;
    FI_ASSIGN_OR_RETURN(Session session, Session::create(backend_, std::move(device_graph), options));
    resident->session = std::make_unique<Session>(std::move(session));
    Status copied = enqueue_copies(entry, *resident);
    if (!copied.is_ok()) {
      (void)backend_.synchronize(*copy_queue_);
      return copied;
    }
    entry.resident = std::move(resident);
    entry.metrics.swap_ms += ms_since(start);
    ++entry.metrics.swap_ins;
    lru_.push_back(&entry);
  }
  lru_.remove(&entry);
  lru_.push_back(&entry);
  return entry.resident;
}

Result<std::vector<HostTensor>> ModelPool::run(const std::string& name,
                                               const std::map<std::string, HostTensor>& inputs) {
  const auto start = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return Status::error("no model named '" + name + "' is registered");
  Entry& entry = *it->second;
  ++entry.in_flight;
  ++entry.metrics.requests;
  Result<std::shared_ptr<Resident>> resident = acquire(entry, lock);
  if (!resident.is_ok()) {
    --entry.in_flight;
    idle_.notify_all();
    return resident.status().with_context("swapping in '" + name + "'");
  }
  std::shared_ptr<Resident> held = std::move(*resident);
  lock.unlock();

  Result<std::vector<HostTensor>> outputs = Status::error("not run");
  double queue_ms, run_ms, cold_ms = -1;
  bool copies_finished = false;
  {
    std::lock_guard<std::mutex> run_lock(entry.run_mutex);
    queue_ms = ms_since(start);
    const auto run_start = Clock::now();
    outputs = held->session->run(inputs, held->waits);
    run_ms = ms_since(run_start);
    if (outputs.is_ok() && !held->waits.empty()) {
      held->waits.clear();
      copies_finished = true;
      cold_ms = ms_since(held->swap_start);
    }
  }
  lock.lock();
  if (copies_finished) {
    if (held->copy_start && held->copy_end) {
      Result<double> copy_ms = backend_.elapsed_ms(*held->copy_start, *held->copy_end);
      if (copy_ms.is_ok()) entry.metrics.copy_ms += *copy_ms;
    }
    entry.metrics.cold_ms += cold_ms;
    forget_finished_copies(*held);
  }
  entry.metrics.queue_ms += queue_ms;
  entry.metrics.run_ms += run_ms;
  --entry.in_flight;
  held.reset();  // device memory is only ever released with the mutex held
  idle_.notify_all();
  return outputs;
}

ModelMetrics ModelPool::metrics(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(name);
  return it == entries_.end() ? ModelMetrics{} : it->second->metrics;
}

std::vector<std::string> ModelPool::model_names() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

std::vector<std::string> ModelPool::resident_models() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const Entry* e : lru_) names.push_back(e->name);
  return names;
}

uint64_t ModelPool::used_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

uint64_t ModelPool::peak_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}

uint64_t ModelPool::staging_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return staging_used_;
}

bool ModelPool::is_staged(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(name);
  return it != entries_.end() && it->second->staging != nullptr;
}

Result<uint64_t> ModelPool::footprint(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return Status::error("no model named '" + name + "' is registered");
  return it->second->footprint;
}

}  // namespace fusedinf
