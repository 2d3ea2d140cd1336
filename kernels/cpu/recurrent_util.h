// The tensors of a recurrent node (engine/recurrent.h) as the CPU kernels read them: pointers
// (nullptr when absent), sizes and the layout-aware indexing of X, Y and the states.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "engine/recurrent.h"
#include "engine/tensor_view.h"

namespace fusedinf::cpu {

struct RecurrentIo {
  RecurrentIo(const RecurrentParams& p, std::span<const ConstTensorView> in, std::span<const TensorView> out)
      : layout(p.layout), dirs(p.num_directions), hidden(p.hidden) {
    auto input = [&](size_t i) { return i < in.size() && in[i].present() ? in[i].as<float>() : nullptr; };
    auto output = [&](size_t i) { return i < out.size() ? out[i].as<float>() : nullptr; };
    X = input(0), W = input(1), R = input(2), B = input(3), initial_h = input(5), initial_c = input(6), P = input(7);
    lens = in.size() > 4 && in[4].present() ? in[4].as<int32_t>() : nullptr;
    Y = output(0), Y_h = output(1), Y_c = output(2);
    const Shape& x = in[0].shape;
    seq = layout == 0 ? x[0] : x[1];
    batch = layout == 0 ? x[1] : x[0];
    this->input = x[2];
    y_numel = num_elements(out[0].shape);
  }

  // Steps batch entry n runs.
  int64_t length(int64_t n) const { return lens ? lens[n] : seq; }
  Status check_lengths() const {
    for (int64_t n = 0; lens && n < batch; ++n)
      if (lens[n] < 0 || lens[n] > seq)
        return Status::error("sequence_lens[" + std::to_string(n) + "] = " + std::to_string(lens[n]) +
                             " is outside [0, " + std::to_string(seq) + "]");
    return Status::ok();
  }
  // Row of X (of `input` floats) at step t of batch entry n.
  int64_t x_row(int64_t t, int64_t n) const { return layout == 0 ? t * batch + n : n * seq + t; }
  // Element j of the state of direction d, batch entry n, in initial_h/c and Y_h/c.
  int64_t state_index(int64_t d, int64_t n, int64_t j) const {
    return (layout == 0 ? d * batch + n : n * dirs + d) * hidden + j;
  }
  // Element j of Y at step t, direction d, batch entry n.
  int64_t y_index(int64_t t, int64_t d, int64_t n, int64_t j) const {
    return (layout == 0 ? (t * dirs + d) * batch + n : (n * seq + t) * dirs + d) * hidden + j;
  }
  // Y is 0 at the steps past an entry's length; every element is written by zeroing first.
  void zero_outputs() const {
    if (Y) std::memset(Y, 0, static_cast<size_t>(y_numel) * sizeof(float));
  }

  int layout;
  int64_t dirs, hidden, seq = 0, batch = 0, input = 0, y_numel = 0;
  const float *X, *W, *R, *B, *initial_h, *initial_c, *P;
  const int32_t* lens;
  float *Y, *Y_h, *Y_c;
};

}  // namespace fusedinf::cpu
