// The .fim reader on good and corrupted files: errors, never crashes or wrong graphs.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/fim_graph.h"
#include "format/fim_file.h"

namespace fusedinf {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("fusedinf_test_" + name)).string();
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// x [2,3] -> Add(x, w) -> Relu -> Add(., w2) -> y; w2 equals w (stored once).
Graph sample_graph() {
  Graph g;
  g.name = "sample";
  const float w[6] = {1, -2, 3, -4, 5, -6};
  const int x = g.add_tensor("x", DType::kFloat32, {2, 3});
  const int c1 = g.add_constant("w", DType::kFloat32, {2, 3}, Buffer::copy_of(w, sizeof w));
  const int c2 = g.add_constant("w2", DType::kFloat32, {2, 3}, Buffer::copy_of(w, sizeof w));
  const int a = g.add_tensor("a", DType::kFloat32, {2, 3});
  const int r = g.add_tensor("r", DType::kFloat32, {2, 3});
  const int y = g.add_tensor("y", DType::kFloat32, {2, 3});
  g.inputs = {{"x", x}};
  g.nodes.push_back(Node{"Add", "add", {x, c1}, {a}, {}});
  Node relu{"LeakyRelu", "relu", {a}, {r}, {}};
  relu.attrs.set("alpha", 0.5f);
  relu.attrs.set("note_ints", std::vector<int64_t>{1, 2});
  relu.attrs.set("note_floats", std::vector<float>{0.5f});
  relu.attrs.set("note_string", std::string("s"));
  relu.attrs.set("note_int", int64_t{7});
  g.nodes.push_back(relu);
  g.nodes.push_back(Node{"Add", "add2", {r, c2}, {y}, {}});
  g.outputs = {{"y", y}};
  return g;
}

class FimFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = temp_path("sample.fim");
    Result<FimWriteStats> stats = save_fim(sample_graph(), path_);
    ASSERT_TRUE(stats.is_ok()) << stats.status().message();
    stats_ = *stats;
    bytes_ = read_file(path_);
  }
  std::string path_;
  FimWriteStats stats_;
  std::vector<uint8_t> bytes_;
};

TEST_F(FimFormatTest, RoundTripKeepsEverything) {
  Result<Graph> g = load_fim(path_);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  const Graph want = sample_graph();
  ASSERT_EQ(g->tensors.size(), want.tensors.size());
  ASSERT_EQ(g->nodes.size(), want.nodes.size());
  for (size_t i = 0; i < want.nodes.size(); ++i) {
    EXPECT_EQ(g->nodes[i].op, want.nodes[i].op);
    EXPECT_EQ(g->nodes[i].inputs, want.nodes[i].inputs);
    EXPECT_TRUE(g->nodes[i].attrs == want.nodes[i].attrs) << "attributes of node " << i;
  }
  for (size_t t = 0; t < want.tensors.size(); ++t) {
    EXPECT_EQ(g->tensors[t].shape, want.tensors[t].shape);
    EXPECT_EQ(g->tensors[t].is_constant(), want.tensors[t].is_constant());
    if (want.tensors[t].is_constant()) {
      EXPECT_EQ(
          0, std::memcmp(g->constant_view(static_cast<int>(t)).data, want.constant_view(static_cast<int>(t)).data, 24));
      EXPECT_EQ(reinterpret_cast<uintptr_t>(g->constant_view(static_cast<int>(t)).data) % 64, 0u) << "64-byte aligned";
    }
  }
  EXPECT_EQ(g->name, "sample");
  EXPECT_EQ(g->outputs[0].name, "y");
}

TEST_F(FimFormatTest, EqualBuffersAreStoredOnce) {
  EXPECT_EQ(stats_.weight_bytes, 48u);
  EXPECT_EQ(stats_.unique_weight_bytes, 24u);
  Result<Graph> g = load_fim(path_);
  ASSERT_TRUE(g.is_ok());
  EXPECT_EQ(g->tensors[1].buffer, g->tensors[2].buffer);
}

TEST_F(FimFormatTest, OneDifferingByteIsNotDeduplicated) {
  Graph g = sample_graph();
  std::vector<uint8_t> w(g.buffers[1].data, g.buffers[1].data + g.buffers[1].size);
  w[0] ^= 1;
  g.buffers[1] = Buffer::copy_of(w.data(), w.size());
  Result<FimWriteStats> stats = save_fim(g, temp_path("differ.fim"));
  ASSERT_TRUE(stats.is_ok());
  EXPECT_EQ(stats->unique_weight_bytes, 48u);
}

TEST_F(FimFormatTest, SavingOverTheMappedFileItWasLoadedFromKeepsItsWeights) {
  // The loaded graph's constants point into the mapping of path_; saving to path_ must read
  // them intact (fuse a.fim b.fim -o a.fim), and leave no temporary file behind.
  Result<Graph> loaded = load_fim(path_);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  Result<FimWriteStats> stats = save_fim(*loaded, path_);
  ASSERT_TRUE(stats.is_ok()) << stats.status().message();
  EXPECT_EQ(read_file(path_), bytes_);
  Result<Graph> reloaded = load_fim(path_);
  ASSERT_TRUE(reloaded.is_ok()) << reloaded.status().message();
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path_).parent_path()))
    EXPECT_EQ(entry.path().string().find(path_ + ".tmp."), std::string::npos) << entry.path();
}

TEST_F(FimFormatTest, AFailedSaveLeavesTheOldFileAndNoTemporary) {
  const std::string dir = temp_path("not_a_dir_file");
  { std::ofstream(dir) << "x"; }
  Result<FimWriteStats> stats = save_fim(sample_graph(), dir + "/model.fim");
  ASSERT_FALSE(stats.is_ok());
  EXPECT_NE(stats.status().message().find("model.fim"), std::string::npos) << stats.status().message();
  // A directory path as the target: the rename fails and the temporary is removed.
  const std::string target_dir = temp_path("target_dir");
  std::filesystem::create_directories(target_dir);
  stats = save_fim(sample_graph(), target_dir);
  ASSERT_FALSE(stats.is_ok());
  EXPECT_NE(stats.status().message().find(target_dir), std::string::npos) << stats.status().message();
  EXPECT_TRUE(std::filesystem::is_directory(target_dir));
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(target_dir).parent_path()))
    EXPECT_EQ(entry.path().string().find(target_dir + ".tmp."), std::string::npos) << entry.path();
  std::filesystem::remove(dir);
  std::filesystem::remove(target_dir);
}

TEST_F(FimFormatTest, TruncatedFilesAreErrors) {
  for (size_t len = 0; len < bytes_.size(); len += (len < 512 ? 1 : 61)) {
    Result<Graph> g = load_fim_from_memory(bytes_.data(), len);
    EXPECT_FALSE(g.is_ok()) << "truncated to " << len;
  }
}

TEST_F(FimFormatTest, FlippedBytesNeverCrashAndNeverGiveWrongWeights) {
  for (size_t i = 0; i < bytes_.size(); ++i) {
    std::vector<uint8_t> bad = bytes_;
    bad[i] ^= 0x5a;
    Result<Graph> g = load_fim_from_memory(bad.data(), bad.size());
    if (!g.is_ok()) continue;  // most flips are caught
    // A flip the checks cannot see (e.g. padding, or a name) must leave weights intact.
    for (size_t t = 0; t < g->tensors.size(); ++t)
      if (g->tensors[t].is_constant()) {
        EXPECT_EQ(0, std::memcmp(g->constant_view(static_cast<int>(t)).data, sample_graph().constant_view(1).data, 24))
            << "flip at " << i;
      }
  }
}

TEST_F(FimFormatTest, WrongIdentifierIsRefusedByName) {
  std::vector<uint8_t> bad = bytes_;
  std::memcpy(bad.data() + 8, "NOPE", 4);  // identifier follows the size prefix and root offset
  Result<Graph> g = load_fim_from_memory(bad.data(), bad.size());
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("identifier"), std::string::npos) << g.status().message();
}

// Rewrites the file's model through the generated object API hooks: same builder, new fields.
std::vector<uint8_t> with_model_edit(const std::vector<uint8_t>& bytes, const std::function<void(fim::ModelT&)>& edit) {
  const fim::Model* m = fim::GetSizePrefixedModel(bytes.data());
  fim::ModelT obj;
  m->UnPackTo(&obj);
  edit(obj);
  flatbuffers::FlatBufferBuilder b;
  fim::FinishSizePrefixedModelBuffer(b, fim::Model::Pack(b, &obj));
  uint32_t old_prefix;
  std::memcpy(&old_prefix, bytes.data(), 4);
  const size_t old_weights = (old_prefix + 4 + 63) / 64 * 64;
  std::vector<uint8_t> out(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  out.resize((out.size() + 63) / 64 * 64, 0);
  out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(old_weights), bytes.end());
  return out;
}

TEST_F(FimFormatTest, NewerMajorVersionIsRefusedWithAMessage) {
  auto bad = with_model_edit(bytes_, [](fim::ModelT& m) { m.version_major = 2; });
  Result<Graph> g = load_fim_from_memory(bad.data(), bad.size());
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("newer than this reader"), std::string::npos) << g.status().message();
  auto same = with_model_edit(bytes_, [](fim::ModelT&) {});
  EXPECT_TRUE(load_fim_from_memory(same.data(), same.size()).is_ok()) << "the edit helper itself is sound";
}

TEST_F(FimFormatTest, OffsetsPastTheEndAndOverflowsAreErrors) {
  for (uint64_t offset : {uint64_t{1} << 20, UINT64_MAX - 63, uint64_t{64} * 1000}) {
    auto bad = with_model_edit(bytes_,
                               [&](fim::ModelT& m) { m.buffers[0] = fim::BufferRef(offset, 24, m.buffers[0].hash()); });
    Result<Graph> g = load_fim_from_memory(bad.data(), bad.size());
    EXPECT_FALSE(g.is_ok()) << offset;
  }
  auto huge = with_model_edit(bytes_, [](fim::ModelT& m) { m.buffers[0] = fim::BufferRef(0, UINT64_MAX, 0); });
  EXPECT_FALSE(load_fim_from_memory(huge.data(), huge.size()).is_ok());
  auto weights = with_model_edit(bytes_, [](fim::ModelT& m) { m.weights_size = UINT64_MAX; });
  EXPECT_FALSE(load_fim_from_memory(weights.data(), weights.size()).is_ok());
}

TEST_F(FimFormatTest, MisalignedOffsetIsAnError) {
  auto bad = with_model_edit(bytes_, [](fim::ModelT& m) { m.buffers[0] = fim::BufferRef(8, 16, m.buffers[0].hash()); });
  Result<Graph> g = load_fim_from_memory(bad.data(), bad.size());
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("aligned"), std::string::npos) << g.status().message();
}

TEST_F(FimFormatTest, HashMismatchIsAnError) {
  std::vector<uint8_t> bad = bytes_;
  bad[bad.size() - 1] ^= 1;  // last weight byte
  Result<Graph> g = load_fim_from_memory(bad.data(), bad.size());
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("hash"), std::string::npos) << g.status().message();
}

TEST_F(FimFormatTest, TamperedShapesIndicesAndOpsAreErrors) {
  auto shape = with_model_edit(bytes_, [](fim::ModelT& m) { m.tensors[5]->shape = {3, 2}; });
  Result<Graph> g = load_fim_from_memory(shape.data(), shape.size());
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("inference gives"), std::string::npos) << g.status().message();
  auto index = with_model_edit(bytes_, [](fim::ModelT& m) { m.nodes[0]->inputs[0] = 99; });
  EXPECT_FALSE(load_fim_from_memory(index.data(), index.size()).is_ok());
  auto buffer = with_model_edit(bytes_, [](fim::ModelT& m) { m.tensors[1]->buffer = 7; });
  EXPECT_FALSE(load_fim_from_memory(buffer.data(), buffer.size()).is_ok());
  auto op = with_model_edit(bytes_, [](fim::ModelT& m) { m.nodes[1]->op = "Foo"; });
  Result<Graph> unknown = load_fim_from_memory(op.data(), op.size());
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("Foo"), std::string::npos);
  auto dtype = with_model_edit(bytes_, [](fim::ModelT& m) { m.tensors[0]->dtype = static_cast<fim::DType>(9); });
  EXPECT_FALSE(load_fim_from_memory(dtype.data(), dtype.size()).is_ok());
}

TEST(FimFileTest, MissingAndNonRegularFilesAreErrors) {
  EXPECT_FALSE(load_fim("/nonexistent/model.fim").is_ok());
  EXPECT_FALSE(load_fim("/tmp").is_ok());
}

}  // namespace
}  // namespace fusedinf
