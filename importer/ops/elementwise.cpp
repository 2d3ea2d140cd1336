#include "importer/convert_context.h"

namespace fusedinf::importer {

std::span<const OnnxConverter> elementwise_converters() { return {}; }

}  // namespace fusedinf::importer
