#include "importer/convert_context.h"

namespace fusedinf::importer {

std::span<const OnnxConverter> misc_converters() { return {}; }

}  // namespace fusedinf::importer
