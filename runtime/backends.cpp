// The one place that knows which backends this build has.
#include "runtime/backend.h"

#if FUSEDINF_HAVE_CUDA
#include "runtime/cuda/cuda_backend.h"
#endif

namespace fusedinf {

std::vector<std::string_view> built_backends() {
#if FUSEDINF_HAVE_CUDA
  return {"cpu", "cuda"};
#else
  return {"cpu"};
#endif
}

Result<std::unique_ptr<Backend>> make_backend(std::string_view name, const BackendOptions& options) {
  if (name == "cpu") return make_cpu_backend();
  if (name == "cuda" || name == "auto") {
#if FUSEDINF_HAVE_CUDA
    CudaBackendOptions cuda_options;
    cuda_options.allow_tf32 = options.allow_tf32;
    cuda_options.library_epilogues = options.library_epilogues;
    Result<std::unique_ptr<Backend>> cuda = make_cuda_backend(cuda_options);
    if (cuda.is_ok() || name == "cuda") return cuda;
    return make_cpu_backend();
#else
    (void)options;
    if (name == "auto") return make_cpu_backend();
    return Status::error(
        "backend 'cuda': this build of fusedinf has no CUDA backend (nvcc was not found when it was built)");
#endif
  }
  return Status::error("unknown backend '" + std::string(name) + "' (expected cpu, cuda or auto)");
}

bool backend_available(std::string_view name) {
  if (name == "cpu" || name == "auto") return true;
#if FUSEDINF_HAVE_CUDA
  if (name == "cuda") return cuda_device_available();
#endif
  return false;
}

}  // namespace fusedinf
