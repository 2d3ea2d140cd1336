#include "importer/convert_context.h"

namespace fusedinf::importer {

std::span<const OnnxConverter> pool_converters() { return {}; }

}  // namespace fusedinf::importer
