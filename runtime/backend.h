// The backend interface: what a device must provide so that models can be placed and run on
// it. The CPU backend implements it with host memory; an accelerator adds a class like it
// plus its kernels. Memory is "device memory" of that backend; copies may be asynchronous
// until synchronize().
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // Device memory, 64-byte aligned. allocate fails with a Status, never aborts.
  virtual Result<void*> allocate(uint64_t bytes) = 0;
  virtual void release(void* device_ptr) = 0;
  // Host memory the device copies from fastest (pinned memory on a GPU), 64-byte aligned.
  virtual Result<void*> allocate_staging(uint64_t bytes) = 0;
  virtual void release_staging(void* host_ptr) = 0;
  virtual Status copy_to_device(void* device_dst, const void* host_src, uint64_t bytes) = 0;
  virtual Status copy_to_host(void* host_dst, const void* device_src, uint64_t bytes) = 0;
  virtual Status synchronize() = 0;
  // Whether this backend has a kernel for the node.
  virtual bool supports(const Node& node) const = 0;
};

// Host memory as device memory; copies are memcpy.
std::unique_ptr<Backend> make_cpu_backend();

}  // namespace fusedinf
