// Helpers shared by the benchmarks.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/host_tensor.h"

namespace fusedinf::bench {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Deterministic, non-zero inputs for every graph input (float ramps; other dtypes zero).
inline std::map<std::string, HostTensor> test_inputs(const Graph& g) {
  std::map<std::string, HostTensor> inputs;
  for (const GraphIo& io : g.inputs) {
    HostTensor t = HostTensor::zeros(g.tensors[io.tensor].dtype, g.tensors[io.tensor].shape);
    for (int64_t i = 0; i < t.numel() && t.dtype == DType::kFloat32; ++i) t.as<float>()[i] = 0.001f * (i % 997);
    inputs.emplace(io.name, std::move(t));
  }
  return inputs;
}

}  // namespace fusedinf::bench
