"""Small ONNX models for the importer's CLI tests (tests/cli_import_cases.sh), with their
inputs and onnxruntime's outputs as .npy files:

  dyn_conv/    x [N,3,H,W] (symbolic H, W) -> Conv -> Relu: needs --shape x=...
  neg_dims/    x [-1,-1] and a second input [0,4]: -1 and 0 written as "unknown"
  if_sr/       silero-vad's pattern: If(Equal(sr, 16000)) with branch initializers, outer-scope
               reads and a nested If; expected outputs for sr=16000 and sr=8000
  names/       inputs and outputs whose names hold '/', ':', spaces, '=', '%' and unicode

Each case folder: model.onnx, <input>.npy files (by position: input_0.npy ...), expected_<k>.npy.
    python make_import_cases.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def save_model(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    return model


def run_ort(path, feeds):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def case_dir(out, name):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    return d


def dyn_conv(out, rng):
    d = case_dir(out, "dyn_conv")
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["c"], ["y"]),
        ],
        "dyn_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4, "H", "W"])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    path = os.path.join(d, "model.onnx")
    save_model(graph, path)
    x = rng.standard_normal((2, 3, 8, 10)).astype(np.float32)
    np.save(os.path.join(d, "input_0.npy"), x)
    np.save(os.path.join(d, "expected_0.npy"), run_ort(path, {"x": x})[0])


def neg_dims(out, rng):
    d = case_dir(out, "neg_dims")

    def graph(m_dims):
        return helper.make_graph(
            [helper.make_node("MatMul", ["x", "m"], ["y"])],
            "neg_dims",
            [
                helper.make_tensor_value_info("x", TensorProto.FLOAT, [-1, -1]),
                helper.make_tensor_value_info("m", TensorProto.FLOAT, m_dims),
            ],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        )

    path = os.path.join(d, "model.onnx")
    model = helper.make_model(graph([0, 4]), opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.save(model, path)  # 0 as "unknown": onnxruntime takes it as a fixed 0, so it runs the same model
    oracle = os.path.join(d, "oracle.onnx")  # with that dim symbolic
    model = helper.make_model(graph(["k", 4]), opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.save(model, oracle)
    x = rng.standard_normal((3, 5)).astype(np.float32)
    m = rng.standard_normal((5, 4)).astype(np.float32)
    np.save(os.path.join(d, "input_0.npy"), x)
    np.save(os.path.join(d, "input_1.npy"), m)
    np.save(os.path.join(d, "expected_0.npy"), run_ort(oracle, {"x": x, "m": m})[0])


def if_sr(out, rng):
    """y = sigmoid(If(sr == 16000, then: If(sr > 8000, relu(x @ w16), -(x @ w16)), else: sum(x * 0.5 + c8)))."""
    d = case_dir(out, "if_sr")
    w16 = rng.standard_normal((16, 8)).astype(np.float32)
    c8 = rng.standard_normal(16).astype(np.float32)
    # Nested If inside the then branch, decided by the outer-scope sr too (sr > 8000).
    inner_then = helper.make_graph(
        [helper.make_node("Relu", ["h"], ["inner_out"])],
        "inner_then",
        [],
        [helper.make_tensor_value_info("inner_out", TensorProto.FLOAT, [1, 8])],
    )
    inner_else = helper.make_graph(
        [helper.make_node("Neg", ["h"], ["inner_out2"])],
        "inner_else",
        [],
        [helper.make_tensor_value_info("inner_out2", TensorProto.FLOAT, [1, 8])],
    )
    then_branch = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "w16"], ["h"]),
            helper.make_node("Constant", [], ["k8000"], value=numpy_helper.from_array(np.array(8000, np.int64))),
            helper.make_node("Greater", ["sr", "k8000"], ["gt"]),
            helper.make_node("If", ["gt"], ["then_out"], then_branch=inner_then, else_branch=inner_else),
        ],
        "then16k",
        [],
        [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, [1, 8])],
        [numpy_helper.from_array(w16, "w16")],
    )
    else_branch = helper.make_graph(
        [
            helper.make_node("Constant", [], ["half"], value=numpy_helper.from_array(np.array(0.5, np.float32))),
            helper.make_node("Mul", ["x", "half"], ["xh"]),
            helper.make_node("Add", ["xh", "c8"], ["s"]),
            helper.make_node("ReduceSum", ["s"], ["else_out"], keepdims=1),
        ],
        "else8k",
        [],
        [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, [1, 1])],
        [numpy_helper.from_array(c8, "c8")],
    )
    graph = helper.make_graph(
        [
            helper.make_node("Constant", [], ["k16000"], value=numpy_helper.from_array(np.array(16000, np.int64))),
            helper.make_node("Equal", ["sr", "k16000"], ["is16k"]),
            helper.make_node("If", ["is16k"], ["branch_out"], then_branch=then_branch, else_branch=else_branch),
            helper.make_node("Sigmoid", ["branch_out"], ["y"]),
        ],
        "if_sr",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16]),
            helper.make_tensor_value_info("sr", TensorProto.INT64, []),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["d0", "d1"])],
    )
    path = os.path.join(d, "model.onnx")
    save_model(graph, path)
    x = rng.standard_normal((1, 16)).astype(np.float32)
    np.save(os.path.join(d, "input_0.npy"), x)
    for sr in (16000, 8000):
        np.save(os.path.join(d, f"expected_{sr}.npy"), run_ort(path, {"x": x, "sr": np.array(sr, np.int64)})[0])


NAMES_IN = "in/put:0 é"
NAMES_OUT = ["save_infer_model/scale_0.tmp_1", "a:0 b=c", "%25 ünïcode", ".hidden"]


def names(out, rng):
    d = case_dir(out, "names")
    nodes = [
        helper.make_node("Relu", [NAMES_IN], [NAMES_OUT[0]]),
        helper.make_node("Neg", [NAMES_IN], [NAMES_OUT[1]]),
        helper.make_node("Sigmoid", [NAMES_IN], [NAMES_OUT[2]]),
        helper.make_node("Abs", [NAMES_IN], [NAMES_OUT[3]]),
    ]
    graph = helper.make_graph(
        nodes,
        "names",
        [helper.make_tensor_value_info(NAMES_IN, TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 3]) for n in NAMES_OUT],
    )
    path = os.path.join(d, "model.onnx")
    save_model(graph, path)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    np.save(os.path.join(d, "input_0.npy"), x)
    for k, y in enumerate(run_ort(path, {NAMES_IN: x})):
        np.save(os.path.join(d, f"expected_{k}.npy"), y)


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(11)
    dyn_conv(out, rng)
    neg_dims(out, rng)
    if_sr(out, rng)
    names(out, rng)


if __name__ == "__main__":
    main()
