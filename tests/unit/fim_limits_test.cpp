// Hostile inputs the fuzzers found or the limits exist for (issue 18): each is refused with a
// message naming what is wrong, never a crash, undefined behaviour or a huge allocation.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "engine/fim_graph.h"
#include "engine/op_def.h"
#include "format/fim_file.h"
#include "importer/onnx_importer.h"
#include "runtime/npy.h"

namespace fusedinf {
namespace {

namespace fb = flatbuffers;

void expect_error(const Status& s, const std::string& part) {
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find(part), std::string::npos) << s.message();
}

// x [shape] -> Relu (with `attrs`) -> y, as a .fim image with an empty weights section.
// `shape_vector` overrides how x's shape is written (for misaligned vectors).
std::vector<uint8_t> one_relu_fim(const std::vector<int64_t>& shape,
                                  const std::function<fb::Offset<fim::Attribute>(fb::FlatBufferBuilder&)>& attr,
                                  int pad_words = -1) {
  fb::FlatBufferBuilder b;
  fb::Offset<fb::Vector<int64_t>> x_shape;
  if (pad_words < 0) {
    x_shape = b.CreateVector(shape);
  } else {
    // An 8-byte vector aligned to 4 only, after `pad_words` 4-byte words: what a hostile
    // writer can produce and the FlatBuffers verifier accepts.
    for (int i = 0; i < pad_words; ++i) b.PushElement<uint32_t>(0);
    b.StartVector(shape.size(), 4);
    for (size_t i = shape.size(); i-- > 0;) {
      b.PushElement<uint32_t>(static_cast<uint32_t>(static_cast<uint64_t>(shape[i]) >> 32));
      b.PushElement<uint32_t>(static_cast<uint32_t>(shape[i]));
    }
    x_shape = fb::Offset<fb::Vector<int64_t>>(b.EndVector(shape.size()));
  }
  const auto x = fim::CreateTensor(b, b.CreateString("x"), fim::DType::Float32, x_shape);
  const auto y = fim::CreateTensor(b, b.CreateString("y"), fim::DType::Float32, b.CreateVector(shape));
  std::vector<fb::Offset<fim::Attribute>> attrs;
  if (attr) attrs.push_back(attr(b));
  const auto node = fim::CreateNode(b, b.CreateString("Relu"), b.CreateString("relu"), b.CreateVector<int>({0}),
                                    b.CreateVector<int>({1}), b.CreateVector(attrs));
  std::vector<fb::Offset<fim::Io>> ins = {fim::CreateIo(b, b.CreateString("x"), 0)};
  std::vector<fb::Offset<fim::Io>> outs = {fim::CreateIo(b, b.CreateString("y"), 1)};
  const auto model = fim::CreateModel(b, fim_format::kVersionMajor, fim_format::kVersionMinor, b.CreateString("m"),
                                      b.CreateVector(std::vector<fb::Offset<fim::Tensor>>{x, y}),
                                      b.CreateVector(std::vector<fb::Offset<fim::Node>>{node}), 0, b.CreateVector(ins),
                                      b.CreateVector(outs));
  fim::FinishSizePrefixedModelBuffer(b, model);
  fim_format::FimWriter writer;
  return writer.serialize({b.GetBufferPointer(), b.GetSize()});
}

TEST(FimLimits, TheSampleLoads) {
  const auto bytes = one_relu_fim({2, 3}, nullptr);
  Result<Graph> g = load_fim_from_memory(bytes.data(), bytes.size());
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->tensors[0].shape, (Shape{2, 3}));
}

// Found by fuzzing: `fusedinf run` and `inspect` crashed (null dereference) on this file.
TEST(FimLimits, AnAttributeWithAValueTypeButNoValueIsRefused) {
  for (fim::AttrValue type : {fim::AttrValue::IntValue, fim::AttrValue::FloatValue, fim::AttrValue::StringValue,
                              fim::AttrValue::IntsValue, fim::AttrValue::FloatsValue}) {
    const auto bytes = one_relu_fim({2}, [&](fb::FlatBufferBuilder& b) {
      const auto name = b.CreateString("alpha");
      fim::AttributeBuilder a(b);
      a.add_name(name);
      a.add_value_type(type);
      return a.Finish();
    });
    expect_error(load_fim_from_memory(bytes.data(), bytes.size()).status(), "has a value type but no value");
  }
}

// Found by UBSan: 8-byte vectors aligned to 4 only were read through misaligned pointers.
TEST(FimLimits, AMisalignedEightByteVectorIsRefused) {
  int misaligned = 0;
  for (int pad = 0; pad < 2; ++pad) {
    const auto bytes = one_relu_fim({2, 3}, nullptr, pad);
    const fim::Model* m = fim::GetSizePrefixedModel(bytes.data());
    const bool aligned = reinterpret_cast<uintptr_t>(m->tensors()->Get(0)->shape()->Data()) % 8 == 0;
    Result<Graph> g = load_fim_from_memory(bytes.data(), bytes.size());
    if (aligned) {
      EXPECT_TRUE(g.is_ok()) << g.status().message();
    } else {
      ++misaligned;
      expect_error(g.status(), "misaligned");
    }
  }
  EXPECT_EQ(misaligned, 1);
}

TEST(FimLimits, ATensorOverTheElementLimitIsRefusedByName) {
  const auto bytes = one_relu_fim({int64_t{1} << 21, int64_t{1} << 20}, nullptr);
  expect_error(load_fim_from_memory(bytes.data(), bytes.size()).status(), "over the limit of 1099511627776 elements");
  // Dims whose product overflows int64 (the old check's multiplication was undefined here).
  const auto overflow = one_relu_fim({int64_t{1} << 62, 4, 0}, nullptr);
  expect_error(load_fim_from_memory(overflow.data(), overflow.size()).status(), "over the limit");
}

TEST(FimLimits, TooManyAttributeValuesAreRefusedByName) {
  const auto bytes = one_relu_fim({2}, [](fb::FlatBufferBuilder& b) {
    const std::vector<int64_t> values(fim_format::FimLimits::kMaxAttributeValues + 1, 1);
    return fim::CreateAttribute(b, b.CreateString("v"), fim::AttrValue::IntsValue,
                                fim::CreateIntsValue(b, b.CreateVector(values)).Union());
  });
  expect_error(load_fim_from_memory(bytes.data(), bytes.size()).status(), "value count 1048577 is over the limit");
}

TEST(FimLimits, RankOverTheLimitIsRefused) {
  const auto bytes = one_relu_fim(std::vector<int64_t>(40, 1), nullptr);
  expect_error(load_fim_from_memory(bytes.data(), bytes.size()).status(), "rank 40 is over the limit of 32");
}

// Shape inference on crafted attributes: signed overflow used to be undefined behaviour.
Result<std::vector<ValueInfo>> infer(const std::string& op, Shape x, Attributes attrs, std::vector<Shape> more = {}) {
  Graph g;
  std::vector<int> inputs = {g.add_tensor("x", DType::kFloat32, std::move(x))};
  for (Shape& s : more) inputs.push_back(g.add_tensor("i", DType::kFloat32, std::move(s)));
  const int y = g.add_tensor("y", DType::kFloat32, {});
  return infer_node(g, Node{op, "n", inputs, {y}, std::move(attrs)});
}

TEST(ShapeOverflow, CraftedAttributesAreRefusedNotWrapped) {
  constexpr int64_t kHuge = int64_t{1} << 62;
  Attributes tile;
  tile.set("repeats", std::vector<int64_t>{kHuge, 8});
  expect_error(infer("Tile", {4, 4}, tile).status(), "overflow");
  Attributes pad;
  pad.set("pads", std::vector<int64_t>{kHuge, kHuge});
  expect_error(infer("Pad", {4}, pad).status(), "overflow");
  Attributes slice;
  slice.set("starts", std::vector<int64_t>{std::numeric_limits<int64_t>::min()});
  slice.set("ends", std::vector<int64_t>{kHuge});
  slice.set("steps", std::vector<int64_t>{1});
  expect_error(infer("Slice", {4}, slice).status(), "out of bounds");
  Attributes d2s;
  d2s.set("blocksize", int64_t{1} << 32);
  expect_error(infer("DepthToSpace", {1, 4, 2, 2}, d2s).status(), "too large");
  Attributes conv;
  conv.set("kernel_shape", std::vector<int64_t>{1});
  conv.set("strides", std::vector<int64_t>{kHuge});
  conv.set("dilations", std::vector<int64_t>{1});
  conv.set("pads", std::vector<int64_t>{kHuge, kHuge});
  conv.set("output_padding", std::vector<int64_t>{0});
  expect_error(infer("ConvTranspose", {1, 1, 8}, conv, {{1, 1, 1}}).status(), "overflow");
  expect_error(infer("Conv", {1, 1, 8}, conv, {{1, 1, 1}}).status(), "overflow");
  Attributes pool;
  pool.set("kernel_shape", std::vector<int64_t>{kHuge});
  pool.set("strides", std::vector<int64_t>{1});
  pool.set("dilations", std::vector<int64_t>{4});
  pool.set("pads", std::vector<int64_t>{0, 0});
  expect_error(infer("MaxPool", {1, 1, 8}, pool).status(), "overflow");
  Attributes big;
  big.set("repeats", std::vector<int64_t>{int64_t{1} << 30, int64_t{1} << 20});
  expect_error(infer("Tile", {1, 1}, big).status(), "over the limit");
}

// Found by fuzz_group_pool: a .fim node with -1 for an input the kernel reads.
TEST(AbsentInputs, RequiredAndVariadicInputsMayNotBeAbsent) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {2});
  const int y = g.add_tensor("y", DType::kFloat32, {});
  expect_error(infer_node(g, Node{"Add", "add", {x, -1}, {y}, {}}).status(), "required input 1 is absent");
  expect_error(infer_node(g, Node{"Sum", "sum", {x, -1}, {y}, {}}).status(), "input 1 is absent");
  EXPECT_TRUE(infer_node(g, Node{"Sum", "sum", {x, x}, {y}, {}}).is_ok());
}

TEST(ShapeOverflow, NumElementsSaturatesAndZeroWins) {
  EXPECT_EQ(num_elements({int64_t{1} << 40, int64_t{1} << 40}), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(num_elements({int64_t{1} << 40, int64_t{1} << 40, 0}), 0);
  EXPECT_EQ(num_elements({2, 3}), 6);
  EXPECT_FALSE(shape_within_limits({0, int64_t{1} << 40, 2}));
  EXPECT_TRUE(shape_within_limits({0, int64_t{1} << 40}));
}

// A TensorProto whose dims declare 2 TiB but hold no values: refused before allocating.
TEST(TensorPbLimits, DeclaredSizeWithoutValuesIsRefusedBeforeAllocating) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(int64_t{1} << 39);
  const std::string bytes = proto.SerializeAsString();
  expect_error(importer::parse_tensor_pb(bytes.data(), bytes.size(), "", "t").status(), "has 0 values");
}

std::string npy_with_header(const std::string& dict) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header;
}

TEST(NpyLimits, BadShapesAndHugeHeadersAreRefused) {
  const std::string garbage = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1x, 2), }");
  expect_error(parse_npy(garbage.data(), garbage.size(), "a").status(), "bad shape");
  const std::string huge = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (549755813888, 4), }");
  expect_error(parse_npy(huge.data(), huge.size(), "b").status(), "over the limit");
  const std::string ok = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }");
  Result<HostTensor> t = parse_npy(ok.data(), ok.size(), "c");
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_EQ(t->shape, (Shape{0, 3}));
  std::string long_header = "\x93NUMPY";
  long_header += std::string("\x02\x00\xff\xff\x01\x00", 6);
  long_header.append(70000, ' ');
  expect_error(parse_npy(long_header.data(), long_header.size(), "d").status(), "over the limit of 65536 bytes");
}

}  // namespace
}  // namespace fusedinf
