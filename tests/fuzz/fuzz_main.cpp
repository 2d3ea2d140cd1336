// One libFuzzer binary per target: FUSEDINF_FUZZ_TARGET names the entry (fuzz_entries.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)fusedinf::fuzz::FUSEDINF_FUZZ_TARGET(std::span<const uint8_t>(data, size));
  return 0;
}
