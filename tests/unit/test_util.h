// Helpers shared by the unit tests.
#pragma once

#include <random>
#include <vector>

namespace fusedinf::testing {

// n values from Normal(0, stddev), deterministic for a seed.
inline std::vector<float> seeded_normal(size_t n, uint32_t seed, float stddev) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, stddev);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

}  // namespace fusedinf::testing
