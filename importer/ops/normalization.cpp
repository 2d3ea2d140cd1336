#include "importer/convert_context.h"

namespace fusedinf::importer {

std::span<const OnnxConverter> normalization_converters() { return {}; }

}  // namespace fusedinf::importer
