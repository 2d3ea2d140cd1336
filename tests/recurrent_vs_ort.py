#!/usr/bin/env python3
"""LSTM, GRU and RNN models built with onnx.helper on seeded random weights, imported by
fusedinf, run on a backend and compared with onnxruntime (relative L2 <= 1e-4 on every output).

Covers directions, layout 0 and 1 (opset 14; opset 7 has none), every optional input (B,
sequence_lens shorter than the sequence, initial_h, initial_c, P), weights as constants and as
graph inputs, every activation with alpha/beta lists, clip, input_forget, linear_before_reset,
and output subsets (Y absent with Y_h present, Y alone). Fixed cases first, then --random more.

Usage: recurrent_vs_ort.py FUSEDINF WORKDIR [--backend cpu] [--random N] [--seed S]
Run with the oracle Python (scripts/python_env.sh). Exit 1 when any case mismatches.
"""
import argparse
import os
import random
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
ACTS_PER_DIR = {"LSTM": 3, "GRU": 2, "RNN": 1}
GATE_ACTS = ["Sigmoid", "HardSigmoid", "Softsign", "Tanh"]
ACTS = ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu",
        "Softsign", "Softplus"]


def make_case(c, rng):
    """Returns (model, feeds, oracle model, oracle feeds) for case dict c. onnxruntime has no
    layout 1: its twin is the layout-0 model on the inputs transposed (outputs transposed back)."""
    model, feeds = make_model(c, rng)
    if c.get("layout", 0) == 0:
        return model, feeds, model, feeds
    twin, _ = make_model(dict(c, layout=0), np.random.default_rng(0))
    twin_feeds = {}
    for name, value in feeds.items():
        twin_feeds[name] = np.swapaxes(value, 0, 1) if name in ("X", "initial_h", "initial_c") else value
    inits = {i.name: i for i in twin.graph.initializer}
    for i in model.graph.initializer:  # the same weights; states transposed
        value = numpy_helper.to_array(i)
        if i.name in ("initial_h", "initial_c"):
            value = np.ascontiguousarray(np.swapaxes(value, 0, 1))
        inits[i.name].CopyFrom(numpy_helper.from_array(value, i.name))
    return model, feeds, twin, twin_feeds


def to_layout1(name, value):
    """An output of the layout-0 twin in layout 1."""
    if name == "Y":  # [T, D, N, H] -> [N, T, D, H]
        return np.transpose(value, (2, 0, 1, 3))
    return np.swapaxes(value, 0, 1)


def make_model(c, rng):
    """Returns (model, feeds) for case dict c."""
    op, dirs = c["op"], 2 if c["direction"] == "bidirectional" else 1
    T, N, I, H, G = c["seq"], c["batch"], c["input"], c["hidden"], GATES[c["op"]]
    layout = c.get("layout", 0)
    scale = c.get("scale", 0.5)
    x = rng.standard_normal((T, N, I) if layout == 0 else (N, T, I)).astype(np.float32)
    tensors = {
        "W": (rng.standard_normal((dirs, G * H, I)) * scale).astype(np.float32),
        "R": (rng.standard_normal((dirs, G * H, H)) * scale).astype(np.float32),
    }
    if c.get("B"):
        tensors["B"] = (rng.standard_normal((dirs, 2 * G * H)) * scale).astype(np.float32)
    if c.get("lens"):
        tensors["sequence_lens"] = np.array(c["lens"], dtype=np.int32)
    state = (dirs, N, H) if layout == 0 else (N, dirs, H)
    if c.get("initial_h"):
        tensors["initial_h"] = rng.standard_normal(state).astype(np.float32)
    if c.get("initial_c"):
        tensors["initial_c"] = rng.standard_normal(state).astype(np.float32)
    if c.get("P"):
        tensors["P"] = (rng.standard_normal((dirs, 3 * H)) * scale).astype(np.float32)
    order = ["X", "W", "R", "B", "sequence_lens", "initial_h"] + (["initial_c", "P"] if op == "LSTM" else [])
    names = ["X"] + [n if n in tensors else "" for n in order[1:]]
    while names[-1] == "":
        names.pop()
    feeds = {"X": x}
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(x.shape))]
    initializers = []
    for name, value in tensors.items():
        if c.get("weights_as_inputs") and name != "sequence_lens":
            feeds[name] = value
            dtype = TensorProto.INT32 if value.dtype == np.int32 else TensorProto.FLOAT
            inputs.append(helper.make_tensor_value_info(name, dtype, list(value.shape)))
        else:
            initializers.append(numpy_helper.from_array(value, name))
    outs = c.get("outputs", ["Y", "Y_h", "Y_c"] if op == "LSTM" else ["Y", "Y_h"])
    attrs = {"hidden_size": H, "direction": c["direction"]}
    if c.get("opset", 14) >= 14:
        attrs["layout"] = layout
    for key in ("activations", "activation_alpha", "activation_beta", "clip", "input_forget", "linear_before_reset"):
        if key in c and c[key] != []:
            attrs[key] = c[key]
    node = helper.make_node(op, names, outs, **attrs)
    y_shape = [T, dirs, N, H] if layout == 0 else [N, T, dirs, H]
    outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, y_shape if o == "Y" else list(state))
               for o in outs if o]
    graph = helper.make_graph([node], "g", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", c.get("opset", 14))])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model, feeds


def random_case(r):
    op = r.choice(["LSTM", "GRU", "RNN"])
    direction = r.choice(["forward", "reverse", "bidirectional"])
    dirs = 2 if direction == "bidirectional" else 1
    c = {"op": op, "direction": direction, "seq": r.randint(1, 7), "batch": r.randint(1, 4), "input": r.randint(1, 9),
         "hidden": r.randint(1, 9), "layout": r.choice([0, 1]), "opset": r.choice([7, 14, 14])}
    if c["opset"] == 7:
        c["layout"] = 0
    for key in ("B", "initial_h", "weights_as_inputs"):
        c[key] = r.random() < 0.5
    if op == "LSTM":
        c["initial_c"] = r.random() < 0.5
        c["P"] = r.random() < 0.5
        c["input_forget"] = int(r.random() < 0.25)
    if op == "GRU":
        c["linear_before_reset"] = r.choice([0, 1])
    if r.random() < 0.5:
        c["lens"] = [r.randint(0, c["seq"]) for _ in range(c["batch"])]
    if r.random() < 0.3:
        c["clip"] = r.uniform(0.5, 3.0)
    if r.random() < 0.5:
        k = ACTS_PER_DIR[op] * dirs
        # f (the gates) from functions with a bounded range: others make the state explode
        per_dir = ACTS_PER_DIR[op]
        c["activations"] = [r.choice(ACTS if i % per_dir or op == "RNN" else GATE_ACTS) for i in range(k)]
        c["activation_alpha"] = [r.uniform(0.1, 1.5) for _ in range(r.randint(0, k))]
        c["activation_beta"] = [r.uniform(-0.5, 0.5) for _ in range(r.randint(0, k))]
    full = ["Y", "Y_h", "Y_c"] if op == "LSTM" else ["Y", "Y_h"]
    c["outputs"] = r.choice([full, full, ["", "Y_h"], ["Y"], full[:2]])
    return c


def fixed_cases():
    base = {"seq": 5, "batch": 3, "input": 4, "hidden": 6, "B": True, "initial_h": True}
    cases = []
    for op in ("LSTM", "GRU", "RNN"):
        for direction in ("forward", "reverse", "bidirectional"):
            for layout in (0, 1):
                c = dict(base, op=op, direction=direction, layout=layout, lens=[5, 2, 4])
                if op == "LSTM":
                    c.update(initial_c=True, P=True)
                cases.append(c)
        cases.append(dict(base, op=op, direction="forward", opset=7))
        cases.append(dict(base, op=op, direction="bidirectional", weights_as_inputs=True, clip=0.7))
        cases.append(dict(base, op=op, direction="forward", outputs=["", "Y_h"]))
    dirs_acts = {"LSTM": ["HardSigmoid", "Elu", "Softsign", "Affine", "LeakyRelu", "ScaledTanh"],
                 "GRU": ["HardSigmoid", "ScaledTanh", "Softsign", "ThresholdedRelu"], "RNN": ["Affine", "LeakyRelu"]}
    for op, acts in dirs_acts.items():
        cases.append(dict(base, op=op, direction="bidirectional", activations=acts, activation_alpha=[0.3, 0.9, 1.1],
                          activation_beta=[0.2, -0.1]))
        cases.append(dict(base, op=op, direction="bidirectional", activations=acts))
    for acts in (["Softplus", "ThresholdedRelu"], ["Relu", "Sigmoid"], ["Elu", "HardSigmoid"]):
        cases.append(dict(base, op="RNN", direction="bidirectional", activations=acts, activation_alpha=[0.8]))
    cases.append(dict(base, op="LSTM", direction="forward", input_forget=1, P=True, initial_c=True))
    cases.append(dict(base, op="LSTM", direction="bidirectional", P=True, initial_c=True, lens=[0, 3, 5], clip=0.5))
    cases.append(dict(base, op="GRU", direction="bidirectional", linear_before_reset=1, lens=[0, 5, 1]))
    cases.append(dict(base, op="GRU", direction="reverse", linear_before_reset=0, lens=[3, 1, 5], layout=1))
    # Real sizes (a voice-activity LSTM, an OCR bidirectional LSTM/GRU).
    cases.append({"op": "LSTM", "direction": "forward", "seq": 1, "batch": 1, "input": 128, "hidden": 128,
                  "B": True, "initial_h": True, "initial_c": True, "scale": 0.1})
    cases.append({"op": "LSTM", "direction": "bidirectional", "seq": 40, "batch": 2, "input": 96, "hidden": 64,
                  "B": True, "scale": 0.1})
    cases.append({"op": "GRU", "direction": "bidirectional", "seq": 30, "batch": 2, "input": 64, "hidden": 48, "B": True,
                  "linear_before_reset": 1, "scale": 0.1})
    return cases


def rel_l2(got, want):
    num = float(np.linalg.norm((got.astype(np.float64) - want.astype(np.float64)).ravel()))
    den = float(np.linalg.norm(want.astype(np.float64).ravel()))
    return num / den if den > 0 else num


def run_case(binary, workdir, index, c, backend, rng):
    model, feeds, twin, twin_feeds = make_case(c, rng)
    d = os.path.join(workdir, "case%03d" % index)
    os.makedirs(os.path.join(d, "out"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(model, path)
    sess = ort.InferenceSession(twin.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    wants = dict(zip(names, sess.run(None, twin_feeds)))
    if c.get("layout", 0) == 1:
        wants = {name: to_layout1(name, value) for name, value in wants.items()}
    fim = os.path.join(d, "model.fim")
    p = subprocess.run([binary, "import", path, "-o", fim], capture_output=True, text=True)
    if p.returncode != 0:
        return "import failed: " + p.stderr.strip()
    args = [binary, "run", fim, "--backend", backend, "--save-outputs", os.path.join(d, "out")]
    for name, value in feeds.items():
        np.save(os.path.join(d, name + ".npy"), value)
        args += ["--input", "%s=%s" % (name, os.path.join(d, name + ".npy"))]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        return "run failed: " + (p.stderr + p.stdout).strip()[-400:]
    worst = []
    for name, want in wants.items():
        got = np.load(os.path.join(d, "out", name + ".npy"))
        if got.shape != want.shape:
            return "%s: shape %s, onnxruntime %s" % (name, got.shape, want.shape)
        err = rel_l2(got, want)
        if not err <= 1e-4:
            worst.append("%s rel L2 %.3g" % (name, err))
    return "; ".join(worst)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fusedinf")
    ap.add_argument("workdir")
    ap.add_argument("--backend", default="cpu")
    ap.add_argument("--random", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    r = random.Random(args.seed)
    cases = fixed_cases() + [random_case(r) for _ in range(args.random)]
    rng = np.random.default_rng(args.seed)
    failed = 0
    for i, c in enumerate(cases):
        problem = run_case(args.fusedinf, args.workdir, i, c, args.backend, rng)
        if problem:
            failed += 1
            print("FAIL case %d %s: %s" % (i, c, problem))
    print("%d recurrent cases against onnxruntime: %d passed, %d failed" % (len(cases), len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
