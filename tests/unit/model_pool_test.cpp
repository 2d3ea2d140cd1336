// The model pool on the CPU backend: budget, LRU eviction, refusal, shared weights, and many
// threads at once, every output equal to the model run alone.
#include "runtime/model_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "runtime/session.h"
#include "tests/unit/test_util.h"

namespace fusedinf {
namespace {

// input [1,64] -> MatMul(backbone [64,256]) -> Relu -> MatMul(head [256,4]) -> logits.
Graph make_model(uint32_t backbone_seed, uint32_t head_seed) {
  Graph g;
  const int x = g.add_tensor("input", DType::kFloat32, {1, 64});
  auto w1 = testing::seeded_normal(64 * 256, backbone_seed, 0.3f),
       w2 = testing::seeded_normal(256 * 4, head_seed, 0.3f);
  const int c1 = g.add_constant("backbone", DType::kFloat32, {64, 256}, Buffer::copy_of(w1.data(), w1.size() * 4));
  const int c2 = g.add_constant("head", DType::kFloat32, {256, 4}, Buffer::copy_of(w2.data(), w2.size() * 4));
  const int h = g.add_tensor("h", DType::kFloat32, {1, 256});
  const int r = g.add_tensor("r", DType::kFloat32, {1, 256});
  const int y = g.add_tensor("logits", DType::kFloat32, {1, 4});
  g.inputs = {{"input", x}};
  g.nodes = {Node{"MatMul", "fc1", {x, c1}, {h}, {}}, Node{"Relu", "relu", {h}, {r}, {}},
             Node{"MatMul", "head", {r, c2}, {y}, {}}};
  g.outputs = {{"logits", y}};
  return g;
}

HostTensor input_for(uint32_t seed) {
  HostTensor t = HostTensor::zeros(DType::kFloat32, {1, 64});
  auto v = testing::seeded_normal(64, seed, 0.3f);
  std::memcpy(t.bytes.data(), v.data(), 256);
  return t;
}

std::vector<uint8_t> run_alone(const Graph& g, const HostTensor& x) {
  Result<Session> s = Session::create(g);
  auto out = s->run({{"input", x}});
  return (*out)[0].bytes;
}

TEST(ModelPoolTest, LruEvictionWithinBudget) {
  auto backend = make_cpu_backend();
  ModelPool probe(*backend, UINT64_MAX);
  ASSERT_TRUE(probe.register_model("a", make_model(1, 2)).is_ok());
  const uint64_t one = *probe.footprint("a");
  ModelPool pool(*backend, 2 * one + one / 2);  // room for two models, not three
  for (const char* name : {"a", "b", "c"})
    ASSERT_TRUE(pool.register_model(name, make_model(name[0], name[0] + 50)).is_ok());
  const HostTensor x = input_for(3);
  for (const char* name : {"a", "b", "a", "c"}) ASSERT_TRUE(pool.run(name, {{"input", x}}).is_ok()) << name;
  EXPECT_EQ(pool.resident_models(), (std::vector<std::string>{"a", "c"})) << "b was least recently used";
  EXPECT_EQ(pool.metrics("b").evictions, 1u);
  EXPECT_EQ(pool.metrics("a").swap_ins, 1u);
  EXPECT_LE(pool.peak_bytes(), pool.budget_bytes());
  EXPECT_EQ(pool.used_bytes(), 2 * one);
}

TEST(ModelPoolTest, OversizedModelIsRefusedNamingBothSizes) {
  auto backend = make_cpu_backend();
  ModelPool pool(*backend, 1000);
  Status s = pool.register_model("big", make_model(1, 2));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("more than the pool's whole budget of 1000 bytes"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("needs "), std::string::npos);
  EXPECT_FALSE(pool.run("big", {}).is_ok());
}

TEST(ModelPoolTest, SharedWeightsAreResidentOnceAndFreedWithTheLastUser) {
  auto backend = make_cpu_backend();
  ModelPool pool(*backend, UINT64_MAX);
  ASSERT_TRUE(pool.register_model("cats", make_model(1, 2)).is_ok());
  ASSERT_TRUE(pool.register_model("dogs", make_model(1, 3)).is_ok());
  const HostTensor x = input_for(4);
  ASSERT_TRUE(pool.run("cats", {{"input", x}}).is_ok());
  const uint64_t after_cats = pool.used_bytes();
  ASSERT_TRUE(pool.run("dogs", {{"input", x}}).is_ok());
  EXPECT_EQ(pool.metrics("cats").bytes_copied, (64 * 256 + 256 * 4) * 4u);
  EXPECT_EQ(pool.metrics("dogs").bytes_copied, 256 * 4 * 4u) << "only the head differs";
  EXPECT_LT(pool.used_bytes(), 2 * after_cats);
  // A budget that holds both only thanks to sharing: evicting needs nothing.
  ModelPool tight(*backend, after_cats + (pool.used_bytes() - after_cats));
  ASSERT_TRUE(tight.register_model("cats", make_model(1, 2)).is_ok());
  ASSERT_TRUE(tight.register_model("dogs", make_model(1, 3)).is_ok());
  ASSERT_TRUE(tight.register_model("other", make_model(9, 9)).is_ok());
  ASSERT_TRUE(tight.run("cats", {{"input", x}}).is_ok());
  ASSERT_TRUE(tight.run("dogs", {{"input", x}}).is_ok());
  EXPECT_EQ(tight.metrics("cats").evictions, 0u);
  // 'other' shares nothing: both fine-tunes go, and the shared backbone with the last one.
  ASSERT_TRUE(tight.run("other", {{"input", x}}).is_ok());
  EXPECT_EQ(tight.resident_models(), std::vector<std::string>{"other"});
  EXPECT_EQ(tight.used_bytes(), *tight.footprint("other"));
  EXPECT_LE(tight.peak_bytes(), tight.budget_bytes());
}

TEST(ModelPoolTest, WeightsAreStagedWithinTheStagingBudgetElseReadFromTheFile) {
  auto backend = make_cpu_backend();
  const uint64_t weights = ((64 * 256 + 256 * 4) * 4 + 63) / 64 * 64;
  ModelPool pool(*backend, UINT64_MAX, weights + weights / 2);  // room to stage one model
  ASSERT_TRUE(pool.register_model("a", make_model(1, 2)).is_ok());
  ASSERT_TRUE(pool.register_model("b", make_model(3, 4)).is_ok());
  EXPECT_TRUE(pool.is_staged("a"));
  EXPECT_FALSE(pool.is_staged("b")) << "staging budget exhausted: pageable reads";
  EXPECT_EQ(pool.staging_bytes(), weights);
  const HostTensor x = input_for(8);
  for (const char* name : {"a", "b"}) {
    auto out = pool.run(name, {{"input", x}});
    ASSERT_TRUE(out.is_ok());
    EXPECT_EQ((*out)[0].bytes, run_alone(make_model(name[0] == 'a' ? 1 : 3, name[0] == 'a' ? 2 : 4), x)) << name;
  }
}

// Pipelined swap-in over a slow modelled link into poisoned (NaN) memory: any node that ran
// before its weights arrived would put NaN in the output.
TEST(ModelPoolTest, PipelinedSwapInWaitsForEachNodesChunk) {
  for (bool pipelined : {true, false}) {
    auto backend = make_cpu_backend(CpuBackendOptions{20e6, true});  // 68 KiB of weights: about 3.4 ms
    ModelPool pool(*backend, UINT64_MAX, UINT64_MAX, SwapOptions{4096, pipelined});
    ASSERT_TRUE(pool.register_model("a", make_model(1, 2)).is_ok());
    const HostTensor x = input_for(5);
    for (int r = 0; r < 2; ++r) {
      auto out = pool.run("a", {{"input", x}});
      ASSERT_TRUE(out.is_ok()) << out.status().message();
      EXPECT_EQ((*out)[0].bytes, run_alone(make_model(1, 2), x)) << "pipelined " << pipelined << ", run " << r;
    }
    const ModelMetrics m = pool.metrics("a");
    EXPECT_EQ(m.swap_ins, 1u);
    EXPECT_EQ(m.bytes_copied, (64 * 256 + 256 * 4) * 4u);
    EXPECT_GT(m.copy_ms, 2.0) << "measured between the copy queue's events";
    EXPECT_GE(m.cold_ms, m.copy_ms * 0.9) << "the first result needs every weight";
  }
}

// A fine-tune swapped in while its base model's shared backbone is still being copied waits
// for the base model's chunks rather than copying the backbone again.
TEST(ModelPoolTest, FineTuneWaitsForASharedBufferStillInFlight) {
  auto backend = make_cpu_backend(CpuBackendOptions{5e6, true});  // the backbone takes about 13 ms
  ModelPool pool(*backend, UINT64_MAX, UINT64_MAX, SwapOptions{4096, true});
  ASSERT_TRUE(pool.register_model("cats", make_model(1, 2)).is_ok());
  ASSERT_TRUE(pool.register_model("dogs", make_model(1, 3)).is_ok());
  const HostTensor x = input_for(6);
  Result<std::vector<HostTensor>> cats = Status::error("not run"), dogs = Status::error("not run");
  std::thread t([&] { cats = pool.run("cats", {{"input", x}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  dogs = pool.run("dogs", {{"input", x}});
  t.join();
  ASSERT_TRUE(cats.is_ok() && dogs.is_ok());
  EXPECT_EQ((*cats)[0].bytes, run_alone(make_model(1, 2), x));
  EXPECT_EQ((*dogs)[0].bytes, run_alone(make_model(1, 3), x));
  EXPECT_EQ(pool.metrics("cats").bytes_copied + pool.metrics("dogs").bytes_copied, (64 * 256 + 2 * 256 * 4) * 4u)
      << "the backbone is copied once";
}

TEST(ModelPoolTest, EightThreadsTwoThousandRequestsTwelveModels) {
  auto backend = make_cpu_backend();
  std::vector<Graph> models;
  for (uint32_t m = 0; m < 12; ++m) models.push_back(make_model(100 + m / 2, 200 + m));  // pairs share a backbone
  uint64_t total = 0;
  {
    ModelPool probe(*backend, UINT64_MAX);
    for (uint32_t m = 0; m < 12; ++m) {
      ASSERT_TRUE(probe.register_model("m" + std::to_string(m), models[m]).is_ok());
      total += *probe.footprint("m" + std::to_string(m));
    }
  }
  ModelPool pool(*backend, total * 29 / 100, total / 4);  // some models staged, the rest read from "files"
  for (uint32_t m = 0; m < 12; ++m) ASSERT_TRUE(pool.register_model("m" + std::to_string(m), models[m]).is_ok());
  // Expected outputs, each model run alone, for a few inputs.
  std::vector<HostTensor> inputs;
  for (uint32_t i = 0; i < 4; ++i) inputs.push_back(input_for(1000 + i));
  std::vector<std::vector<std::vector<uint8_t>>> expected(12);
  for (uint32_t m = 0; m < 12; ++m)
    for (const HostTensor& x : inputs) expected[m].push_back(run_alone(models[m], x));
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(t));
      for (int r = 0; r < 2000; ++r) {
        const uint32_t m = rng() % 12, i = rng() % 4;
        auto out = pool.run("m" + std::to_string(m), {{"input", inputs[i]}});
        if (!out.is_ok())
          ++errors;
        else if ((*out)[0].bytes != expected[m][i])
          ++mismatches;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_LE(pool.peak_bytes(), pool.budget_bytes());
  uint64_t requests = 0, evictions = 0;
  for (uint32_t m = 0; m < 12; ++m) {
    requests += pool.metrics("m" + std::to_string(m)).requests;
    evictions += pool.metrics("m" + std::to_string(m)).evictions;
  }
  EXPECT_EQ(requests, 16000u);
  EXPECT_GT(evictions, 0u);
}

}  // namespace
}  // namespace fusedinf
