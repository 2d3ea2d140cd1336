#include "runtime/model_pool.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "format/fim_file.h"
#include "runtime/session.h"

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
  const uint8_t* host;  // the registered host bytes it was copied from (for comparisons)
  ~DeviceBuffer() { pool->release(ptr, size); }
};

// A model's device state: its weights (shared with other residents where equal), its arena,
// and the session that runs it.
struct ModelPool::Resident {
  ModelPool* pool;
  std::vector<std::shared_ptr<DeviceBuffer>> buffers;
  void* arena = nullptr;
  uint64_t arena_bytes = 0;
  std::unique_ptr<Session> session;
  ~Resident() {
    session.reset();
    buffers.clear();
    if (arena) pool->release(arena, arena_bytes);
  }
};

struct ModelPool::Entry {
  std::string name;
  Graph graph;                                      // host graph (mapped .fim)
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

ModelPool::ModelPool(Backend& backend, uint64_t budget_bytes, uint64_t staging_budget_bytes)
    : backend_(backend), budget_(budget_bytes), staging_budget_(staging_budget_bytes) {}

ModelPool::~ModelPool() {
  std::lock_guard<std::mutex> lock(mutex_);
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
  FI_RETURN_IF_ERROR(graph.validate_structure().with_context("model '" + name + "'"));
  for (const Node& node : graph.nodes)
    if (!backend_.supports(node))
      return Status::error("model '" + name + "': backend " + std::string(backend_.name()) + " has no kernel for " +
                           node.op + " (node '" + node.name + "')");
  auto entry = std::make_unique<Entry>();
  entry->name = name;
  entry->arena_bytes = Session::arena_bytes(graph);
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
    e->resident.reset();  // frees what no other resident model shares
    ++e->metrics.evictions;
    lru_.erase(it);
    return true;
  }
  return false;
}

Result<std::shared_ptr<ModelPool::Resident>> ModelPool::acquire(Entry& entry, std::unique_lock<std::mutex>& lock) {
  while (!entry.resident) {
    if (used_ + missing_bytes(entry) > budget_) {
      if (!evict_one_idle(entry)) idle_.wait(lock);  // every other resident model is busy
      continue;
    }
    // Swap in: reuse equal resident buffers, copy the others, then the arena and the session.
    const auto start = Clock::now();
    auto resident = std::make_shared<Resident>();
    resident->pool = this;
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
        found = std::shared_ptr<DeviceBuffer>(new DeviceBuffer{this, p, host.size, host.data});
        const auto copy_start = Clock::now();
        FI_RETURN_IF_ERROR(backend_.copy_to_device(p, entry.source[b], host.size));
        entry.metrics.copy_ms += ms_since(copy_start);
        entry.metrics.bytes_copied += host.size;
        candidates.push_back(found);
      }
      device_graph.buffers[b] = Buffer{found, static_cast<const uint8_t*>(found->ptr), host.size};
      resident->buffers.push_back(std::move(found));
    }
    const auto sync_start = Clock::now();
    FI_RETURN_IF_ERROR(backend_.synchronize());
    entry.metrics.copy_ms += ms_since(sync_start);
    FI_ASSIGN_OR_RETURN(resident->arena, allocate(entry.arena_bytes));
    resident->arena_bytes = entry.arena_bytes;
    FI_ASSIGN_OR_RETURN(Session session,
                        Session::create(std::move(device_graph), static_cast<uint8_t*>(resident->arena)));
    resident->session = std::make_unique<Session>(std::move(session));
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
  double queue_ms, run_ms;
  {
    std::lock_guard<std::mutex> run_lock(entry.run_mutex);
    queue_ms = ms_since(start);
    const auto run_start = Clock::now();
    outputs = held->session->run(inputs);
    run_ms = ms_since(run_start);
  }
  lock.lock();
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
