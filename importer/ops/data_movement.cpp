#include "importer/convert_context.h"

namespace fusedinf::importer {

std::span<const OnnxConverter> data_movement_converters() { return {}; }

}  // namespace fusedinf::importer
