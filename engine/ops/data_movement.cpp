#include "engine/op_def.h"

namespace fusedinf {

std::span<const OpDef> data_movement_op_defs() { return {}; }

}  // namespace fusedinf
