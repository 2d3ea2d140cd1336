// Index mapping for numpy broadcasting: for output element i, the offset of the matching
// element of an input whose shape broadcasts to the output's.
#pragma once

#include <vector>

#include "engine/shape.h"

namespace fusedinf::cpu {

class BroadcastIndex {
 public:
  BroadcastIndex(const Shape& input, const Shape& output) : out_shape_(output), strides_(output.size(), 0) {
    const std::vector<int64_t> in_strides = contiguous_strides(input);
    const size_t offset = output.size() - input.size();
    for (size_t d = 0; d < input.size(); ++d) strides_[offset + d] = input[d] == 1 ? 0 : in_strides[d];
    identity_ = input == output;
  }
  int64_t operator()(int64_t i) const {
    if (identity_) return i;
    int64_t offset = 0;
    for (size_t d = out_shape_.size(); d-- > 0;) {
      offset += (i % out_shape_[d]) * strides_[d];
      i /= out_shape_[d];
    }
    return offset;
  }

 private:
  Shape out_shape_;
  std::vector<int64_t> strides_;
  bool identity_ = false;
};

}  // namespace fusedinf::cpu
