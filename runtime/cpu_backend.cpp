#include <cstdlib>
#include <cstring>

#include "kernels/cpu/cpu_kernels.h"
#include "runtime/backend.h"

namespace fusedinf {

namespace {

class CpuBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu"; }
  Result<void*> allocate(uint64_t bytes) override {
    const uint64_t rounded = (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded);
    if (!p) return Status::error("cpu backend: cannot allocate " + std::to_string(bytes) + " bytes");
    return p;
  }
  void release(void* p) override { std::free(p); }
  Result<void*> allocate_staging(uint64_t bytes) override { return allocate(bytes); }
  void release_staging(void* p) override { std::free(p); }
  Status copy_to_device(void* dst, const void* src, uint64_t bytes) override {
    if (bytes) std::memcpy(dst, src, bytes);
    return Status::ok();
  }
  Status copy_to_host(void* dst, const void* src, uint64_t bytes) override {
    if (bytes) std::memcpy(dst, src, bytes);
    return Status::ok();
  }
  Status synchronize() override { return Status::ok(); }
  bool supports(const Node& node) const override { return cpu::find_cpu_kernel(node.op) != nullptr; }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace fusedinf
