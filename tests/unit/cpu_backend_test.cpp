// The CPU backend's queues and events: copy queues run in order on their own thread, a
// compute queue waiting for an event runs nothing before it, and timings come from events.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/epilogue_rows.h"
#include "runtime/backend.h"
#include "runtime/session.h"

namespace fusedinf {
namespace {

TEST(CpuBackendTest, ComputeQueueWaitsForTheCopyQueuesEvent) {
  // A link of 10 MB/s: 1 MB takes about 100 ms on the copy thread.
  auto backend = make_cpu_backend(CpuBackendOptions{10e6, true});
  auto copy = std::move(backend->create_queue(QueueKind::kCopy)).value();
  auto compute = std::move(backend->create_queue(QueueKind::kCompute)).value();
  std::vector<uint8_t> host(1 << 20, 7), result(1 << 20, 0);
  void* device = *backend->allocate(host.size());
  EXPECT_EQ(static_cast<uint8_t*>(device)[0], 0xFF) << "poisoned";
  auto start = std::move(backend->create_event()).value();
  auto done = std::move(backend->create_event()).value();
  ASSERT_TRUE(backend->record(*start, *copy).is_ok());
  ASSERT_TRUE(backend->copy_to_device(device, host.data(), host.size(), *copy).is_ok());
  ASSERT_TRUE(backend->record(*done, *copy).is_ok());
  // Enqueued work returns at once; the compute queue's wait blocks until the copy is done.
  ASSERT_TRUE(backend->wait(*compute, *done).is_ok());
  ASSERT_TRUE(backend->copy_to_host(result.data(), device, result.size(), *compute).is_ok());
  EXPECT_EQ(result, host);
  Result<double> ms = backend->elapsed_ms(*start, *done);
  ASSERT_TRUE(ms.is_ok()) << ms.status().message();
  EXPECT_GE(*ms, 90.0) << "the modelled link bandwidth";
  ASSERT_TRUE(backend->synchronize(*copy).is_ok());
  backend->release(device);
}

TEST(CpuBackendTest, CopiesOnOneQueueRunInOrder) {
  auto backend = make_cpu_backend();
  auto copy = std::move(backend->create_queue(QueueKind::kCopy)).value();
  std::vector<uint32_t> values(64);
  for (uint32_t i = 0; i < values.size(); ++i) values[i] = i;
  uint32_t* device = static_cast<uint32_t*>(*backend->allocate(4));
  for (const uint32_t& v : values) ASSERT_TRUE(backend->copy_to_device(device, &v, 4, *copy).is_ok());
  ASSERT_TRUE(backend->synchronize(*copy).is_ok());
  EXPECT_EQ(*device, 63u) << "the last copy enqueued lands last";
  backend->release(device);
}

TEST(CpuBackendTest, UnreachedEventHasNoTime) {
  auto backend = make_cpu_backend(CpuBackendOptions{1e6, false});
  auto copy = std::move(backend->create_queue(QueueKind::kCopy)).value();
  std::vector<uint8_t> host(200000), device(200000);
  auto a = std::move(backend->create_event()).value();
  auto b = std::move(backend->create_event()).value();
  ASSERT_TRUE(backend->record(*a, *copy).is_ok());
  ASSERT_TRUE(backend->copy_to_device(device.data(), host.data(), host.size(), *copy).is_ok());
  ASSERT_TRUE(backend->record(*b, *copy).is_ok());
  EXPECT_FALSE(backend->elapsed_ms(*a, *b).is_ok()) << "b is 200 ms away";
  ASSERT_TRUE(backend->synchronize(*copy).is_ok());
  EXPECT_TRUE(backend->elapsed_ms(*a, *b).is_ok());
}

TEST(CpuBackendTest, MakeBackendNamesWhatIsMissing) {
  EXPECT_TRUE(make_backend("cpu").is_ok());
  EXPECT_TRUE(make_backend("auto").is_ok());
  Result<std::unique_ptr<Backend>> bad = make_backend("tpu");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("unknown backend 'tpu'"), std::string::npos);
  if (!backend_available("cuda")) {
    Result<std::unique_ptr<Backend>> cuda = make_backend("cuda");
    ASSERT_FALSE(cuda.is_ok());
    EXPECT_NE(cuda.status().message().find("cuda"), std::string::npos) << cuda.status().message();
  }
}

// Session::profile_run: one time per node, 0 for an alias (Flatten shares its input's bytes),
// and the session still runs normally afterwards.
TEST(CpuBackendTest, ProfileRunTimesEveryNode) {
  Graph g;
  g.name = "profiled";
  const int x = g.add_tensor("x", DType::kFloat32, {1, 2, 2});
  const int r = g.add_tensor("r", DType::kFloat32, {1, 2, 2});
  const int y = g.add_tensor("y", DType::kFloat32, {1, 4});
  g.inputs = {{"x", x}};
  g.nodes.push_back(Node{"Relu", "relu", {x}, {r}, {}});
  Node flatten{"Flatten", "flatten", {r}, {y}, {}};
  flatten.attrs.set("axis", int64_t{1});
  g.nodes.push_back(flatten);
  g.outputs = {{"y", y}};
  Result<Session> session = Session::create(g);
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  HostTensor in = HostTensor::zeros(DType::kFloat32, {1, 2, 2});
  for (int i = 0; i < 4; ++i) in.as<float>()[i] = static_cast<float>(i) - 1.5f;
  const std::map<std::string, HostTensor> inputs{{"x", in}};
  Result<std::vector<double>> ms = session->profile_run(inputs);
  ASSERT_TRUE(ms.is_ok()) << ms.status().message();
  ASSERT_EQ(ms->size(), 2u);
  EXPECT_GE((*ms)[0], 0.0);
  EXPECT_EQ((*ms)[1], 0.0);
  Result<std::vector<HostTensor>> out = session->run(inputs);
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  const std::vector<float> want = {0.f, 0.f, 0.5f, 1.5f};
  for (int i = 0; i < 4; ++i) EXPECT_EQ((*out)[0].as<float>()[i], want[i]) << i;
  std::map<std::string, HostTensor> wrong{{"z", in}};
  EXPECT_FALSE(session->profile_run(wrong).is_ok());
}

// The CPU backend's 2-d MaxPool (pool_2d.cpp) as the reference defines it: a NaN in a window
// makes that output NaN, the other windows keep their max.
TEST(CpuBackendTest, MaxPoolPropagatesNaNPerWindow) {
  Graph g;
  g.name = "maxpool_nan";
  const int x = g.add_tensor("x", DType::kFloat32, {1, 1, 2, 4});
  const int y = g.add_tensor("y", DType::kFloat32, {1, 1, 1, 2});
  g.inputs = {{"x", x}};
  Node pool{"MaxPool", "pool", {x}, {y}, {}};
  pool.attrs.set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.attrs.set("strides", std::vector<int64_t>{2, 2});
  pool.attrs.set("dilations", std::vector<int64_t>{1, 1});
  pool.attrs.set("pads", std::vector<int64_t>{0, 0, 0, 0});
  pool.attrs.set("ceil_mode", int64_t{0});
  g.nodes.push_back(pool);
  g.outputs = {{"y", y}};
  Result<Session> session = Session::create(g);
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  HostTensor in = HostTensor::zeros(DType::kFloat32, {1, 1, 2, 4});
  const std::vector<float> values = {1.f, NAN, 5.f, -2.f, 3.f, 2.f, 4.f, 7.f};
  for (int i = 0; i < 8; ++i) in.as<float>()[i] = values[i];
  Result<std::vector<HostTensor>> out = session->run({{"x", in}});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  EXPECT_TRUE(std::isnan((*out)[0].as<float>()[0]));
  EXPECT_EQ((*out)[0].as<float>()[1], 7.f);
}

// Softplus is log(1 + e^x) without overflow: x itself for large x, not infinity (found by
// scripts/graph_fuzz.py: onnxruntime gives x).
TEST(CpuBackendTest, SoftplusDoesNotOverflow) {
  const std::vector<float> values = {-200.f, -100.f, -1.f, 0.f, 1.f, 30.f, 89.f, 100.f, 1e30f, INFINITY};
  std::vector<float> got(values.size());
  const Shape shape{static_cast<int64_t>(values.size())};
  const ConstTensorView in{values.data(), DType::kFloat32, shape};
  const TensorView out{got.data(), DType::kFloat32, shape};
  ASSERT_TRUE(cpu::run_cpu_node(Node{"Softplus", "softplus", {0}, {1}, {}}, {&in, 1}, {&out, 1}).is_ok());
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = values[i];
    const double want = x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    if (std::isinf(want))
      EXPECT_EQ(got[i], want) << "Softplus(" << x << ")";
    else
      EXPECT_NEAR(got[i], want, 1e-6 * std::max(1.0, std::fabs(want))) << "Softplus(" << x << ")";
  }
}

// Relu, HardSigmoid and Celu keep a NaN (ONNX defines them with max/min/clip, which propagate
// NaN; onnxruntime does), and so does a Relu fused into an epilogue (found by graph_fuzz.py).
TEST(CpuBackendTest, ActivationsKeepNaN) {
  const std::vector<float> values = {NAN, -1.f, 2.f};
  const Shape shape{3};
  const ConstTensorView in{values.data(), DType::kFloat32, shape};
  for (const char* op : {"Relu", "HardSigmoid", "Celu"}) {
    std::vector<float> got(3);
    const TensorView out{got.data(), DType::kFloat32, shape};
    ASSERT_TRUE(cpu::run_cpu_node(Node{op, "n", {0}, {1}, {}}, {&in, 1}, {&out, 1}).is_ok()) << op;
    EXPECT_TRUE(std::isnan(got[0])) << op << "(NaN) = " << got[0];
    EXPECT_FALSE(std::isnan(got[1]) || std::isnan(got[2])) << op;
  }
  EpilogueParams relu;
  relu.kind = Activation::kRelu;
  EXPECT_TRUE(std::isnan(apply_activation(relu, NAN)));
  std::vector<float> row = values;
  cpu::activate_row(relu, row.data(), 3);
  EXPECT_TRUE(std::isnan(row[0]));
  EXPECT_EQ(row[1], 0.f);
  EXPECT_EQ(row[2], 2.f);
}

// ReduceLogSumExp is log(sum(exp(x - max))) + max: no overflow for x > 709 (found by
// graph_fuzz.py: onnxruntime gives the finite answer), infinities and NaN kept.
TEST(CpuBackendTest, ReduceLogSumExpDoesNotOverflow) {
  const std::vector<float> values = {1000.f, 1000.f, -INFINITY, -INFINITY, INFINITY, 1.f, NAN, 1.f, 3.f, 1e30f};
  const std::vector<float> want = {1000.f + std::log(2.f), -INFINITY, INFINITY, NAN, 1e30f};
  std::vector<float> got(5);
  const ConstTensorView in{values.data(), DType::kFloat32, Shape{5, 2}};
  const TensorView out{got.data(), DType::kFloat32, Shape{5}};
  Node node{"ReduceLogSumExp", "lse", {0}, {1}, {}};
  node.attrs.set("axes", std::vector<int64_t>{1});
  node.attrs.set("keepdims", int64_t{0});
  ASSERT_TRUE(cpu::run_cpu_node(node, {&in, 1}, {&out, 1}).is_ok());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got[i])) << i;
    else
      EXPECT_FLOAT_EQ(got[i], want[i]) << i;
  }
}

}  // namespace
}  // namespace fusedinf
