// CLI arguments that name tensors, free of the CLI library so the unit tests link them:
// `--shape NAME=D0,D1,...`, `--constant-input NAME=V0,V1,...`, `[NAME=]FILE`, and the
// reversible mapping of tensor names to file names used by `run --save-outputs`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/shape.h"
#include "engine/status.h"

namespace fusedinf::tools {

// "NAME=D0,D1,..." -> (NAME, shape); "NAME=" is a scalar. NAME is what precedes the LAST '='
// (tensor names may hold '='; dims never do). Dims are integers >= 0.
Result<std::pair<std::string, Shape>> parse_shape_arg(const std::string& arg);

// "NAME=V0,V1,..." -> (NAME, the values as written; parsed later in the input's dtype).
Result<std::pair<std::string, std::vector<std::string>>> parse_constant_arg(const std::string& arg);

// "[NAME=]FILE" against the tensor names `names`: (NAME, FILE) when the text before some '='
// is one of `names` (the longest such), else ("", arg) when no '=' appears or `arg` is an
// existing file; else an error naming the text before the first '='. `what` is "input" or
// "output".
Result<std::pair<std::string, std::string>> split_tensor_arg(const std::string& arg,
                                                             const std::vector<std::string>& names,
                                                             const std::string& what);

// Tensor name -> file name stem, reversibly: ASCII letters, digits, '-', '_' and '.' stay
// (a leading '.' does not), every other byte (including '%', '/', '\', ':', spaces, the
// bytes of non-ASCII UTF-8) becomes %XX, upper-case hex. "save_infer_model/scale_0.tmp_1"
// -> "save_infer_model%2Fscale_0.tmp_1". Distinct names give distinct stems, and none is
// empty, ".", ".." or holds a path separator.
std::string escape_tensor_name(const std::string& name);
// The inverse; an error for a '%' not followed by two hex digits.
Result<std::string> unescape_tensor_name(const std::string& stem);

}  // namespace fusedinf::tools
