#include "engine/op_def.h"

namespace fusedinf {

std::span<const OpDef> pool_op_defs() { return {}; }

}  // namespace fusedinf
