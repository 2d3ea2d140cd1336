// Index mapping for numpy broadcasting: for output element i, the offset of the matching
// element of an input whose shape broadcasts to the output's. Computed on the fly from the
// two shapes, which it views (they must outlive it); it allocates nothing.
#pragma once

#include <algorithm>
#include <span>

#include "engine/shape.h"

namespace fusedinf::cpu {

class BroadcastIndex {
 public:
  BroadcastIndex(std::span<const int64_t> input, std::span<const int64_t> output)
      : in_(input), out_(output), identity_(std::ranges::equal(input, output)) {}
  int64_t operator()(int64_t i) const {
    if (identity_) return i;
    // Input dims align to the output's last dims; a dim of 1 repeats (stride 0).
    const size_t lead = out_.size() - in_.size();
    int64_t offset = 0, stride = 1;
    for (size_t d = out_.size(); d-- > lead;) {
      const int64_t dim = in_[d - lead];
      if (dim != 1) offset += (i % out_[d]) * stride;
      stride *= dim;
      i /= out_[d];
    }
    return offset;
  }

 private:
  std::span<const int64_t> in_, out_;
  bool identity_;
};

}  // namespace fusedinf::cpu
