// Gemm: Y = alpha * op(A) * op(B) + beta * C, op = transpose when transA/transB.
// MatMul: numpy matmul (1-D operands promoted, batch dims broadcast).
#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_gemm(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  for (const ValueInfo& v : in)
    if (v.present) FI_RETURN_IF_ERROR(expect_dtype(v, DType::kFloat32, "Gemm input"));
  if (in[0].shape.size() != 2 || in[1].shape.size() != 2) return Status::error("A and B must be 2-D");
  const bool ta = node.attrs.get_int("transA", 0), tb = node.attrs.get_int("transB", 0);
  const int64_t m = ta ? in[0].shape[1] : in[0].shape[0], k = ta ? in[0].shape[0] : in[0].shape[1];
  const int64_t kb = tb ? in[1].shape[1] : in[1].shape[0], n = tb ? in[1].shape[0] : in[1].shape[1];
  if (k != kb) return Status::error("inner dimensions differ: " + std::to_string(k) + " and " + std::to_string(kb));
  if (in.size() > 2 && in[2].present) {
    FI_ASSIGN_OR_RETURN(Shape s, broadcast_shapes(in[2].shape, {m, n}));
    if (s != Shape{m, n}) return Status::error("C " + shape_to_string(in[2].shape) + " does not broadcast to [M,N]");
  }
  out[0] = {DType::kFloat32, {m, n}};
  return Status::ok();
}

Status infer_matmul(const Node&, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "A"));
  FI_RETURN_IF_ERROR(expect_dtype(in[1], DType::kFloat32, "B"));
  Shape a = in[0].shape, b = in[1].shape;
  if (a.empty() || b.empty()) return Status::error("scalar operands are not allowed");
  const bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return Status::error("inner dimensions differ: " + shape_to_string(in[0].shape) + " x " +
                         shape_to_string(in[1].shape));
  FI_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2)));
  Shape y = batch;
  if (!a1) y.push_back(a[a.size() - 2]);
  if (!b1) y.push_back(b.back());
  out[0] = {DType::kFloat32, y};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Gemm", 2, 3, 1, 1, infer_gemm},
    {"MatMul", 2, 2, 1, 1, infer_matmul},
};

}  // namespace

std::span<const OpDef> matmul_op_defs() { return kOps; }

}  // namespace fusedinf
