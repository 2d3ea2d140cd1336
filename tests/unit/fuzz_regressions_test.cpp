// Replays every input the fuzzers found (tests/fuzz/regressions/<target>/<file>, each fixed)
// through the same entry function as the fuzz binary: it must return a Status (the input is
// refused or runs), never crash, and under the sanitizer build never touch memory it does not
// own. The seeds of each target run too, so that the entries themselves stay exercised in
// builds without libFuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/fuzz/fuzz_entries.h"

namespace fusedinf {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(FuzzRegressions, EveryFoundInputIsRefusedOrRunsWithoutCrashing) {
  const fs::path root = fs::path(FUSEDINF_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
  int replayed = 0;
  for (const fuzz::Target& target : fuzz::targets()) {
    const fs::path dir = root / std::string(target.name);
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename().string().rfind("README", 0) == 0) continue;
      const std::vector<uint8_t> bytes = read_file(entry.path());
      SCOPED_TRACE(entry.path().string());
      const Status s = target.entry(bytes);
      // A refusal says what is wrong.
      if (!s.is_ok()) EXPECT_FALSE(s.message().empty());
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0) << "no regression inputs under " << root;
}

TEST(FuzzRegressions, EntriesRefuseEmptyAndGarbageInput) {
  const std::vector<uint8_t> empty, garbage(100, 0xAB);
  for (const fuzz::Target& target : fuzz::targets()) {
    SCOPED_TRACE(std::string(target.name));
    EXPECT_FALSE(target.entry(empty).is_ok());
    EXPECT_FALSE(target.entry(garbage).is_ok());
  }
}

}  // namespace
}  // namespace fusedinf
