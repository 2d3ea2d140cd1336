// The three op tables agree: every IR op has a CPU reference kernel, every kernel an op
// definition, and every ONNX converter's opset range lies within 7..28 (onnx 1.23's newest opset).
#include <gtest/gtest.h>

#include "engine/op_def.h"
#include "importer/convert_context.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf {
namespace {

TEST(RegistryTest, EveryOpHasACpuKernelAndViceVersa) {
  for (const OpDef* def : all_op_defs()) EXPECT_NE(cpu::find_cpu_kernel(def->op), nullptr) << def->op;
  for (const cpu::CpuKernel* k : cpu::all_cpu_kernels()) EXPECT_NE(find_op_def(k->op), nullptr) << k->op;
}

TEST(RegistryTest, ConvertersCoverOpsets7To28Only) {
  for (const importer::OnnxConverter* c : importer::all_converters()) {
    EXPECT_GE(c->since_opset, 7) << c->onnx_op;
    EXPECT_LE(c->until_opset, 28) << c->onnx_op;
    EXPECT_LE(c->since_opset, c->until_opset) << c->onnx_op;
  }
}

}  // namespace
}  // namespace fusedinf
