// The attributes and sizes every CPU convolution kernel reads (reference Conv and
// ConvTranspose in conv.cpp, the im2col + sgemm Conv in conv_gemm.cpp), as views of a node's
// attributes and of its tensors' shapes. For Conv "in" is X's spatial shape and "out" Y's;
// ConvTranspose scatters from in to out the same way. Built from shapes alone, so a kernel's
// workspace function can use it before any tensor exists.
#pragma once

#include <span>

#include "engine/graph.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

struct ConvGeometry {
  std::span<const int64_t> k, s, d, p, in_sp, out_sp;
  int64_t group, batch, cin, cout, cin_g, cout_g, in_size, out_size, k_size;
  size_t spatial;
  ConvGeometry(const Node& node, std::span<const int64_t> x, std::span<const int64_t> y)
      : k(node.attrs.ints("kernel_shape")),
        s(node.attrs.ints("strides")),
        d(node.attrs.ints("dilations")),
        p(node.attrs.ints("pads")),
        in_sp(x.subspan(2)),
        out_sp(y.subspan(2)),
        group(node.attrs.int_or("group", 1)),
        spatial(k.size()) {
    batch = x[0], cin = x[1], cout = y[1], cin_g = cin / group, cout_g = cout / group;
    in_size = product(in_sp), out_size = product(out_sp), k_size = product(k);
  }
};

}  // namespace fusedinf::cpu
