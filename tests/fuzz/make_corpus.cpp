// Writes the fuzz targets' seed corpora from ONNX's node test models (Debian's
// libonnx-testdata), so that every build makes its own:
//   <out>/onnx_import/  the model.onnx files
//   <out>/fim_run/      each model imported, passed and saved as .fim
//   <out>/tensor_pb/    the test data's TensorProto files
//   <out>/npy/          the same tensors as .npy
//   <out>/group_pool/   pairs of imported models fused into one group .fim
// Usage: fuzz_make_corpus OUT NODE_TEST_DIR [MAX_SEED_BYTES]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/fim_graph.h"
#include "engine/fuse_models.h"
#include "engine/passes/pass.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/npy.h"

namespace fs = std::filesystem;
using namespace fusedinf;

namespace {

void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT NODE_TEST_DIR [MAX_SEED_BYTES]\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const size_t max_bytes = argc > 3 ? std::stoul(argv[3]) : 64 * 1024;
  for (const char* sub : {"onnx_import", "fim_run", "tensor_pb", "npy", "group_pool"})
    fs::create_directories(out / sub);
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(argv[2]))
    if (fs::exists(entry.path() / "model.onnx")) cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  importer::ImportOptions options;
  options.evaluator = cpu::run_cpu_node;
  PassContext context{cpu::run_cpu_node};
  int counts[5] = {};
  std::vector<FuseMember> pending;
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    const std::vector<uint8_t> onnx = read(dir / "model.onnx");
    if (onnx.size() > max_bytes) continue;
    write(out / "onnx_import" / (name + ".onnx"), onnx);
    ++counts[0];
    for (const auto& file : fs::directory_iterator(dir / "test_data_set_0")) {
      const std::vector<uint8_t> pb = read(file.path());
      if (pb.size() > max_bytes) continue;
      const std::string stem = name + "_" + file.path().stem().string();
      write(out / "tensor_pb" / (stem + ".pb"), pb);
      ++counts[2];
      Result<HostTensor> t = importer::parse_tensor_pb(pb.data(), pb.size(), "", stem);
      if (t.is_ok() && write_npy((out / "npy" / (stem + ".npy")).string(), *t).is_ok()) ++counts[3];
    }
    Result<Graph> g = importer::import_onnx_bytes(onnx.data(), onnx.size(), "", options);
    if (!g.is_ok() || !run_passes(*g, "default", context).is_ok()) continue;
    Result<std::vector<uint8_t>> fim = save_fim_to_memory(*g);
    if (!fim.is_ok() || fim->size() > max_bytes) continue;
    write(out / "fim_run" / (name + ".fim"), *fim);
    ++counts[1];
    // Groups of two neighbouring models (often the same op in two variants).
    pending.push_back({"m" + std::to_string(pending.size()), std::move(*g)});
    if (pending.size() == 2) {
      Result<Graph> group = fuse_models(std::move(pending), FuseOptions{});
      pending.clear();
      if (!group.is_ok()) continue;
      Result<std::vector<uint8_t>> bytes = save_fim_to_memory(*group);
      if (bytes.is_ok() && bytes->size() <= max_bytes) {
        write(out / "group_pool" / (name + ".fim"), *bytes);
        ++counts[4];
      }
    }
  }
  std::printf("fuzz corpus in %s: %d onnx, %d fim, %d pb, %d npy, %d groups\n", out.c_str(), counts[0], counts[1],
              counts[2], counts[3], counts[4]);
  return counts[1] > 0 ? 0 : 1;
}
