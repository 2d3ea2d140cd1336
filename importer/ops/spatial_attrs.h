// Reading the spatial attributes that Conv, ConvTranspose and the pools share, with the
// spec's defaults, and resolving auto_pad against the static input shape:
//   SAME_UPPER/SAME_LOWER: out = ceil(in / s), total = max(0, (out-1)*s + d*(k-1) + 1 - in),
//   the odd pixel at the end (UPPER) or the beginning (LOWER); VALID: no padding.
#pragma once

#include <vector>

#include "importer/convert_context.h"

namespace fusedinf::importer {

struct SpatialAttrs {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
};

// `kernel` must be known (from W or kernel_shape). Fails on a bad auto_pad or lengths.
Result<SpatialAttrs> read_spatial_attrs(const ConvertContext& ctx, std::vector<int64_t> kernel,
                                        const Shape& input_shape, bool allow_dilations);

void write_spatial_attrs(const SpatialAttrs& s, Attributes& attrs);

}  // namespace fusedinf::importer
