// Microbenchmark of the memory planner (Google Benchmark): plan time for N random buffers.
#include <benchmark/benchmark.h>

#include <random>

#include "engine/memory_planner.h"

namespace {

void BM_PlanMemory(benchmark::State& state) {
  std::mt19937 rng(1);
  std::vector<fusedinf::BufferRequest> requests(static_cast<size_t>(state.range(0)));
  const int steps = static_cast<int>(requests.size());
  for (auto& r : requests) {
    r.size = 64 + rng() % (1 << 20);
    r.first_use = static_cast<int>(rng() % steps);
    r.last_use = r.first_use + static_cast<int>(rng() % 8);
  }
  for (auto _ : state) benchmark::DoNotOptimize(fusedinf::plan_memory(requests));
}
BENCHMARK(BM_PlanMemory)->Arg(64)->Arg(512)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
