#!/usr/bin/env python3
"""Differential graph fuzzer: seeded random ONNX graphs, fusedinf (default passes and
--passes none, CPU backend) against onnxruntime (graph optimizations off) on the same input.

Run it with the oracle Python: "$(scripts/python_env.sh)" scripts/graph_fuzz.py --count 500.

Graph s (s = --seed, --seed + 1, ...) is built from numpy's default_rng(s) alone, so
"--seed s --count 1" rebuilds it. A graph mixes: Conv/ConvTranspose/Gemm/MatMul followed by
chains of affine ops (BatchNormalization, Mul/Add/Sub/Div with per-channel, scalar and other
broadcasting constants) and activations (single ops and the arithmetic forms exporters write:
hard-swish, SiLU, GELU, Mish); binary ops between tensors and constants of every rank;
reshape/transpose/flatten/squeeze/unsqueeze chains; Concat, Split, Slice, Pad, pooling,
Softmax, reductions, LayerNormalization; Identity/Dropout; shape arithmetic
(Shape -> Gather -> Concat -> Reshape); copies of earlier nodes and chains (for CSE); any tensor
read by several nodes; and graph outputs in the middle of the graph.

Several graphs go into one model (disjoint, names prefixed) so that one import and one run
check a batch; a batch with a problem is rerun graph by graph to name the graph at fault.
Per output: the same shape, NaN and infinity at the same places, and relative L2 error
<= --tolerance over the rest (or an RMS difference <= ATOL, for values that cancel to ~0).
Where onnxruntime is the one that is off, an output within tolerance of onnx's reference
implementation (onnx.reference) passes too (counted as "settled by onnx's reference"). An
import refusal or a crash is a failure. A failing graph is saved as OUT/seed<s>/model.onnx
(with its input and what went wrong) and minimized: the nodes up to the first tensor that
still differs are saved as minimized.onnx. Where onnxruntime's answer is implementation-
defined (NaN into max reductions, MaxPool, LRN, linear Resize; see Builder) the generator
keeps away. Exits 1 when any graph failed or could not be generated (a generator bug).
Results: bench/results/graph_fuzz.md.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT
OPSETS = (13, 17, 18)
BOOL_OPS = ("Greater", "Less", "Equal", "GreaterOrEqual", "LessOrEqual")
ATOL = 1e-6  # RMS difference accepted whatever the relative error


class Builder:
    """One random graph: nodes, initializers, inputs, and the float tensors it can read."""

    def __init__(self, seed, max_steps=12):
        self.seed = seed
        self.max_steps = max_steps
        self.rng = np.random.default_rng(seed)
        self.prefix = "g%d_" % seed
        self.opset = int(self.rng.choice(OPSETS))
        self.nodes, self.inits, self.inputs = [], [], []
        self.shapes = {}  # float tensor -> shape
        self.pool = []  # float tensors in creation order
        self.readers = {}  # tensor -> number of reading nodes
        # Tensors that may hold NaN or infinities: onnxruntime's max/min reductions, MaxPool,
        # LRN and linear Resize treat NaN as they happen to (not as IEEE's maximum, not per
        # window), so those ops never read them.
        self.nonfinite = set()
        self.bools = set()  # bool tensors (comparisons): never in the pool
        # Tensors that may come from a difference of close values ((x + k) - x): normalizing
        # them (Instance/LayerNormalization) divides float rounding by a tiny deviation, so
        # those never read them.
        self.cancelled = set()
        self.count = 0

    # ---- names, constants, nodes
    def name(self, base):
        self.count += 1
        return "%s%s%d" % (self.prefix, base, self.count)

    def const(self, array, base="c"):
        n = self.name(base)
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
        self.inits.append(numpy_helper.from_array(array, n))
        return n

    def ints(self, values, base="i"):
        return self.const(np.array(values, dtype=np.int64), base)

    def node(self, op, inputs, shape=None, outputs=1, **attrs):
        """Adds a node; its float outputs join the pool with their inferred (or given) shape."""
        outs = [self.name(op.lower()) for _ in range(outputs)]
        node = helper.make_node(op, inputs, outs, name=self.name("n_" + op), **attrs)
        shapes = [shape] if shape is not None else self.infer(node)
        self.nodes.append(node)
        for i in inputs:
            if i:
                self.readers[i] = self.readers.get(i, 0) + 1
        for o, s in zip(outs, shapes):
            self.shapes[o] = tuple(int(d) for d in s)
            if op in BOOL_OPS:
                self.bools.add(o)
                continue
            if min(self.shapes[o], default=1) > 0:  # an empty tensor gets no reader
                self.pool.append(o)
            if any(i in self.nonfinite for i in inputs):
                self.nonfinite.add(o)
            if any(i in self.cancelled for i in inputs) or (
                    op in ("Add", "Sub", "Sum", "Mean") and sum(i in self.shapes for i in inputs) >= 2):
                self.cancelled.add(o)
        return outs[0] if outputs == 1 else outs

    def infer(self, node):
        """Output shapes of one node, by onnx's shape inference on a model of that node alone."""
        inits = {t.name: t for t in self.inits}
        graph_inputs, graph_inits = [], []
        for i in node.input:
            if not i:
                continue
            if i in self.shapes:
                dtype = TensorProto.BOOL if i in self.bools else F32
                graph_inputs.append(helper.make_tensor_value_info(i, dtype, self.shapes[i]))
            else:
                graph_inits.append(inits[i])
        outs = [helper.make_tensor_value_info(o, 0, None) for o in node.output]
        g = helper.make_graph([node], "one", graph_inputs, outs, graph_inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 8
        m = onnx.shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
        result = []
        for o in m.graph.output:
            dims = o.type.tensor_type.shape.dim
            if not o.type.tensor_type.HasField("shape") or any(not d.HasField("dim_value") for d in dims):
                raise RuntimeError("generator: no static shape for %s" % node.op_type)
            result.append(tuple(d.dim_value for d in dims))
        return result

    # ---- random choices
    def chance(self, p):
        return self.rng.random() < p

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def pick(self, pred=lambda s: True, finite=False):
        """A pool tensor whose shape satisfies pred; recent ones more likely (fan-out anywhere)."""
        cands = [t for t in self.pool if pred(self.shapes[t]) and np.prod(self.shapes[t]) <= 4096 and
                 not (finite and t in self.nonfinite)]
        if not cands:
            return None
        w = np.arange(1, len(cands) + 1, dtype=np.float64) ** 2
        return cands[int(self.rng.choice(len(cands), p=w / w.sum()))]

    def values(self, shape, kind="normal"):
        shape = tuple(shape)
        if kind == "normal":
            return self.rng.standard_normal(shape).astype(np.float32)
        if kind == "scale":  # away from 0, either sign
            sign = np.where(self.rng.random(shape) < 0.3, -1.0, 1.0)
            return (self.rng.uniform(0.5, 2.0, shape) * sign).astype(np.float32)
        if kind == "positive":
            return self.rng.uniform(0.1, 2.0, shape).astype(np.float32)
        raise ValueError(kind)

    def broadcast_shape(self, s):
        """A constant shape that broadcasts against s: any rank up to len(s), dims kept or 1,
        sometimes one more leading dim (the result then grows)."""
        r = len(s)
        k = int(self.rng.integers(0, r + 1))
        shape = [d if self.chance(0.5) else 1 for d in s[r - k:]]
        if self.chance(0.08) and r < 5:
            shape = [int(self.rng.integers(1, 3))] + [d for d in s]
        return shape

    def channel_shape(self, s, cd):
        """A constant broadcasting along dim cd of s only: [C,1,..], [1,C,1,..], scalar, [1]."""
        c = s[cd]
        opts = [[c] + [1] * (len(s) - cd - 1), [1] * cd + [c] + [1] * (len(s) - cd - 1), [], [1]]
        return self.choice(opts)

    # ---- graph pieces
    def add_input(self, shape):
        n = self.name("in")
        self.inputs.append(helper.make_tensor_value_info(n, F32, shape))
        self.shapes[n] = tuple(shape)
        self.pool.append(n)
        return n

    def random_input_shape(self):
        kind = self.choice(["image", "image", "image", "seq", "flat"])
        if kind == "image":
            return [int(self.rng.integers(1, 3)), int(self.rng.integers(1, 9)), int(self.rng.integers(1, 10)),
                    int(self.rng.integers(1, 10))]
        if kind == "seq":
            return [int(self.rng.integers(1, 3)), int(self.rng.integers(1, 7)), int(self.rng.integers(1, 17))]
        return [int(self.rng.integers(1, 6)), int(self.rng.integers(1, 33))]

    def conv(self):
        x = self.pick(lambda s: len(s) in (3, 4) and s[1] <= 16)
        if x is None:
            return False
        s = self.shapes[x]
        nsp = len(s) - 2
        c = s[1]
        groups = [g for g in range(1, c + 1) if c % g == 0]
        group = self.choice([1, 1, c, self.choice(groups)])
        m = group * int(self.rng.integers(1, max(2, 9 // group) + 1))
        transpose = self.chance(0.25)
        k = [int(self.rng.integers(1, 4)) for _ in range(nsp)]
        strides = [int(self.rng.integers(1, 3)) for _ in range(nsp)]
        dil = [int(self.rng.integers(1, 3)) if self.chance(0.2) else 1 for _ in range(nsp)]
        attrs = {"kernel_shape": k}
        if self.chance(0.7):
            attrs["strides"] = strides
        else:
            strides = [1] * nsp
        if any(d != 1 for d in dil):
            attrs["dilations"] = dil
        if transpose:
            w = self.const(self.values([c, m // group] + k) / np.sqrt(c // group * np.prod(k)), "w")
            pads = [int(self.rng.integers(0, (dil[i] * (k[i] - 1)) // 2 + 1)) for i in range(nsp)] * 2
            attrs["pads"] = pads
            if self.chance(0.3):
                attrs["output_padding"] = [int(self.rng.integers(0, strides[i])) for i in range(nsp)]
        else:
            w = self.const(self.values([m, c // group] + k) / np.sqrt(c // group * np.prod(k)), "w")
            eff = [dil[i] * (k[i] - 1) + 1 for i in range(nsp)]
            modes = ["pads", "pads", "none", "VALID"]
            if all(d == 1 for d in dil):  # onnxruntime has no dilations with SAME_*
                modes += ["SAME_UPPER", "SAME_LOWER"]
            mode = self.choice(modes)
            if mode == "pads":
                attrs["pads"] = [int(self.rng.integers(0, eff[i % nsp])) for i in range(2 * nsp)]
            elif mode != "none":
                attrs["auto_pad"] = mode
            pads = attrs.get("pads", [0] * 2 * nsp)
            if mode in ("none", "VALID", "pads"):
                if any(s[2 + i] + pads[i] + pads[i + nsp] < eff[i] for i in range(nsp)):
                    return False
        if group != 1:
            attrs["group"] = group
        inputs = [x, w]
        if self.chance(0.6):
            inputs.append(self.const(self.values([m]), "b"))
        try:
            y = self.node("ConvTranspose" if transpose else "Conv", inputs, **attrs)
        except (RuntimeError, onnx.shape_inference.InferenceError):  # no valid output size
            return False
        if min(self.shapes[y]) < 1:
            return False
        self.affine_chain(y, 1)
        return True

    def gemm(self):
        x = self.pick(lambda s: len(s) == 2)
        if x is None:
            return False
        a0, a1 = self.shapes[x]
        trans_a = self.chance(0.2)
        mm, kk = (a1, a0) if trans_a else (a0, a1)
        n = int(self.rng.integers(1, 17))
        trans_b = self.chance(0.5)
        w = self.const(self.values([n, kk] if trans_b else [kk, n]) / np.sqrt(kk), "w")
        attrs = {}
        if trans_a:
            attrs["transA"] = 1
        if trans_b:
            attrs["transB"] = 1
        if self.chance(0.2):
            attrs["alpha"] = float(self.choice([0.5, 2.0, -1.0]))
        inputs = [x, w]
        if self.chance(0.7):
            inputs.append(self.const(self.values(self.choice([[n], [1, n], [mm, n], [mm, 1], [], [1]])), "b"))
            if self.chance(0.2):
                attrs["beta"] = float(self.choice([0.5, 2.0, -1.0]))
        y = self.node("Gemm", inputs, **attrs)
        self.affine_chain(y, 1)
        return True

    def matmul(self):
        x = self.pick(lambda s: len(s) >= 2)
        if x is None:
            return False
        s = self.shapes[x]
        kk = s[-1]
        if self.chance(0.25) and len(s) <= 4:  # x @ x^T, attention-like: two activations
            perm = list(range(len(s)))
            perm[-1], perm[-2] = perm[-2], perm[-1]
            xt = self.node("Transpose", [x], perm=perm)
            y = self.node("MatMul", [x, xt])
        else:
            n = int(self.rng.integers(1, 17))
            if len(s) == 3 and self.chance(0.3):
                wshape = [self.choice([1, s[0]]), kk, n]
            else:
                wshape = [kk, n]
            w = self.const(self.values(wshape) / np.sqrt(kk), "w")
            y = self.node("MatMul", [x, w])
        self.affine_chain(y, len(self.shapes[y]) - 1)
        return True

    def affine_chain(self, y, cd):
        """0-4 affine ops (and activations) after a producer, channel dim cd; sometimes reading
        an earlier link of the chain again (fan-out inside the chain)."""
        links = [y]
        for _ in range(int(self.rng.integers(0, 5))):
            s = self.shapes[y]
            kind = self.choice(["bn", "bn", "mul", "add", "sub", "div", "act", "act"])
            if kind == "bn" and len(s) >= 2:
                c = s[1]
                inputs = [y, self.const(self.values([c], "scale"), "s"), self.const(self.values([c]), "bias"),
                          self.const(self.values([c]), "mean"), self.const(self.values([c], "positive"), "var")]
                attrs = {"epsilon": float(self.choice([1e-5, 1e-3]))}
                y = self.node("BatchNormalization", inputs, **attrs)
            elif kind in ("mul", "add", "sub", "div"):
                shape = self.channel_shape(s, cd) if self.chance(0.6) else self.broadcast_shape(s)
                c = self.const(self.values(shape, "scale" if kind in ("mul", "div") else "normal"), "k")
                op = kind.capitalize()
                first = self.chance(0.25) and kind != "div"
                y = self.node(op, [c, y] if first else [y, c])
            elif kind == "act":
                y = self.activation(y)
            else:
                continue
            links.append(y)
            if self.chance(0.15) and len(links) > 2:
                other = self.choice(links[:-1])
                if self.shapes[other] == self.shapes[y]:
                    y = self.node(self.choice(["Add", "Mul", "Sub"]), [y, other])
                    links.append(y)
        return y

    def activation(self, x=None):
        if x is None:
            x = self.pick()
            if x is None:
                return None
        kind = self.choice(["simple"] * 6 + ["clip", "clip", "hardswish", "silu", "gelu", "mish", "hardsigmoid"])
        if kind == "simple":
            op = self.choice(["Relu", "Relu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "LeakyRelu", "Elu",
                              "Selu", "Softplus", "Softsign", "Abs", "Neg", "Erf", "Celu", "ThresholdedRelu",
                              "Shrink", "PRelu"])
            attrs = {}
            if op == "LeakyRelu" and self.chance(0.7):
                attrs["alpha"] = float(self.choice([0.1, 0.2, 0.01]))
            if op == "HardSigmoid" and self.chance(0.5):
                attrs["alpha"], attrs["beta"] = 1 / 6, 0.5
            if op == "Elu" and self.chance(0.5):
                attrs["alpha"] = 0.5
            if op == "Shrink" and self.chance(0.5):
                attrs["lambd"], attrs["bias"] = 0.3, 0.1
            if op == "PRelu":
                s = self.shapes[x]
                slope = self.channel_shape(s, 1) if len(s) >= 2 and self.chance(0.6) else self.broadcast_shape(s)
                slope = [d for d in slope][-len(s):] if len(slope) > len(s) else slope
                return self.node("PRelu", [x, self.const(self.values(slope) * 0.3, "slope")])
            return self.node(op, [x], **attrs)
        if kind == "clip":
            lo, hi = sorted(self.rng.normal(0, 1.5, 2).astype(np.float32))
            lo, hi = self.choice([(lo, hi), (0.0, 6.0), (-1.0, 1.0)])
            if self.opset >= 11:
                mode = self.choice(["both", "min", "max", "none"])
                ins = [x, self.const(np.float32(lo), "min") if mode in ("both", "min") else ""]
                if mode in ("both", "max"):
                    ins.append(self.const(np.float32(hi), "max"))
                while ins and ins[-1] == "":
                    ins.pop()
                return self.node("Clip", ins)
            return self.node("Clip", [x], min=float(lo), max=float(hi))
        if kind == "hardswish":  # x * clip(x + 3, 0, 6) / 6, as Paddle exports it
            a = self.node("Add", [x, self.const(np.float32(3), "three")])
            k = self.node("Clip", [a, self.const(np.float32(0), "zero"), self.const(np.float32(6), "six")])
            p = self.node("Mul", [x, k])
            return self.node("Div", [p, self.const(np.float32(6), "six")])
        if kind == "hardsigmoid":  # clip(x / 6 + 0.5, 0, 1)
            d = self.node("Div", [x, self.const(np.float32(6), "six")])
            a = self.node("Add", [d, self.const(np.float32(0.5), "half")])
            return self.node("Clip", [a, self.const(np.float32(0), "zero"), self.const(np.float32(1), "one")])
        if kind == "silu":
            s = self.node("Sigmoid", [x])
            return self.node("Mul", [x, s] if self.chance(0.5) else [s, x])
        if kind == "gelu":  # 0.5 * x * (1 + erf(x / sqrt(2))), as torch exports it
            d = self.node("Div", [x, self.const(np.float32(1.4142135381698608), "sqrt2")])
            e = self.node("Erf", [d])
            f = self.node("Add", [e, self.const(np.float32(1), "one")])
            h = self.node("Mul", [x, f])
            return self.node("Mul", [h, self.const(np.float32(0.5), "half")])
        sp = self.node("Softplus", [x])  # mish
        return self.node("Mul", [x, self.node("Tanh", [sp])])

    def binary(self):
        x = self.pick()
        if x is None:
            return False
        s = self.shapes[x]
        op = self.choice(["Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Add", "Mul"])
        # The other operand: a pool tensor of a broadcast-compatible shape, else a constant.
        partners = [t for t in self.pool if t != x and broadcasts(self.shapes[t], s)]
        if op == "Pow":
            e = float(self.choice([2.0, 3.0, 0.5, 1.0]))
            base = self.node("Abs", [x]) if self.chance(0.5) else x
            y = self.node("Pow", [base, self.const(np.float32(e), "e")])
            if e == 0.5 and base == x:
                self.nonfinite.add(y)  # NaN for x < 0
            return True
        if op == "Div":
            if partners and self.chance(0.4):  # a denominator away from 0: |t| + 1
                t = self.choice(partners)
                den = self.node("Add", [self.node("Abs", [t]), self.const(np.float32(1), "one")])
            else:
                den = self.const(self.values(self.broadcast_shape(s), "scale"), "d")
            self.node("Div", [x, den] if self.chance(0.8) else [den, self.node("Add", [self.node("Abs", [x]),
                                                                                        self.const(np.float32(1), "one")])])
            return True
        if partners and self.chance(0.5):
            other = self.choice(partners)
        elif self.chance(0.3):
            other = x  # the same tensor twice
        else:
            other = self.const(self.values(self.broadcast_shape(s)), "k")
        self.node(op, [x, other] if self.chance(0.6) else [other, x])
        return True

    def variadic(self):
        x = self.pick()
        if x is None:
            return False
        s = self.shapes[x]
        others = [t for t in self.pool if broadcasts(self.shapes[t], s)]
        ins = [x] + [self.choice(others) for _ in range(int(self.rng.integers(1, 3)))]
        self.node(self.choice(["Sum", "Mean", "Max", "Min"]), ins)
        return True

    def reshape_chain(self):
        x = self.pick(lambda s: len(s) >= 1)
        if x is None:
            return False
        for _ in range(int(self.rng.integers(1, 4))):
            s = self.shapes[x]
            kind = self.choice(["reshape", "reshape", "transpose", "transpose", "flatten", "squeeze", "unsqueeze",
                                "noop", "shape_arith"])
            if kind == "reshape":
                target = random_factorization(self.rng, int(np.prod(s)), int(self.rng.integers(1, 6)))
                spec = list(target)
                if self.chance(0.3):
                    spec[int(self.rng.integers(len(spec)))] = -1
                if self.chance(0.2) and len(spec) <= len(s):
                    for i in range(len(spec)):
                        if spec[i] == s[i]:
                            spec[i] = 0
                            break
                x = self.node("Reshape", [x, self.ints(spec, "shape")], shape=target)
            elif kind == "transpose" and len(s) >= 2:
                perm = [int(v) for v in self.rng.permutation(len(s))]
                x = self.node("Transpose", [x], perm=perm) if self.chance(0.9) else self.node("Transpose", [x])
            elif kind == "flatten":
                x = self.node("Flatten", [x], axis=int(self.rng.integers(-len(s), len(s) + 1)))
            elif kind == "squeeze":
                ones = [i for i, d in enumerate(s) if d == 1]
                if not ones:
                    continue
                axes = [i for i in ones if self.chance(0.6)] or ones[:1]
                if self.chance(0.3):
                    axes = [a - len(s) for a in axes]
                if self.opset >= 13:
                    x = self.node("Squeeze", [x, self.ints(axes, "axes")] if self.chance(0.8) else [x])
                else:
                    x = self.node("Squeeze", [x], axes=axes)
            elif kind == "unsqueeze" and len(s) < 5:
                r = len(s) + 1
                axes = sorted(set(int(a) for a in self.rng.integers(0, r, int(self.rng.integers(1, 3)))))
                if len(s) + len(axes) > 6:
                    continue
                x = self.node("Unsqueeze", [x, self.ints(axes, "axes")]) if self.opset >= 13 else \
                    self.node("Unsqueeze", [x], axes=axes)
            elif kind == "noop":
                op = self.choice(["Reshape", "Transpose", "Identity", "Dropout", "Cast"])
                if op == "Reshape":
                    x = self.node("Reshape", [x, self.ints(list(s), "shape")], shape=s)
                elif op == "Transpose":
                    x = self.node("Transpose", [x], perm=list(range(len(s))))
                elif op == "Cast":
                    x = self.node("Cast", [x], to=F32)
                else:
                    x = self.node(op, [x])
            elif kind == "shape_arith" and len(s) >= 2:
                # Reshape(x, Concat(Shape(x)[:1], [-1])): what exporters write for a flatten.
                sh = self.name("shape")
                self.nodes.append(helper.make_node("Shape", [x], [sh]))
                first = self.name("dim0")
                self.nodes.append(helper.make_node("Gather", [sh, self.ints([0], "zero")], [first], axis=0))
                spec = self.name("spec")
                self.nodes.append(helper.make_node("Concat", [first, self.ints([-1], "m1")], [spec], axis=0))
                x = self.node("Reshape", [x, spec], shape=(s[0], int(np.prod(s[1:]))))
        return True

    def concat_split_slice(self):
        x = self.pick(lambda s: len(s) >= 1)
        if x is None:
            return False
        s = self.shapes[x]
        kind = self.choice(["concat", "concat", "split", "slice", "pad", "gather", "expand", "tile"])
        axis = int(self.rng.integers(len(s)))
        if kind == "concat":
            ins = [x]
            for _ in range(int(self.rng.integers(1, 3))):
                same = [t for t in self.pool if len(self.shapes[t]) == len(s) and
                        all(a == b for i, (a, b) in enumerate(zip(self.shapes[t], s)) if i != axis)]
                if same and self.chance(0.6):
                    ins.append(self.choice(same))
                else:
                    shape = list(s)
                    shape[axis] = int(self.rng.integers(1, 4))
                    ins.append(self.const(self.values(shape), "cat"))
            self.node("Concat", ins, axis=axis - len(s) if self.chance(0.3) else axis)
        elif kind == "split" and s[axis] >= 2:
            parts = int(self.rng.integers(2, min(4, s[axis]) + 1))
            cuts = sorted(self.rng.choice(np.arange(1, s[axis]), parts - 1, replace=False))
            sizes = [int(b - a) for a, b in zip([0] + list(cuts), list(cuts) + [s[axis]])]
            if self.opset >= 13:
                self.node("Split", [x, self.ints(sizes, "split")], outputs=parts, axis=axis)
            else:
                self.node("Split", [x], outputs=parts, axis=axis, split=sizes)
        elif kind == "slice":
            d = s[axis]
            step = int(self.choice([1, 1, 2, -1, -2]))
            start = int(self.rng.integers(-d - 1, d + 2))
            end = int(self.choice([int(self.rng.integers(-d - 1, d + 2)), 2 ** 31, -(2 ** 31)]))
            self.node("Slice", [x, self.ints([start], "st"), self.ints([end], "en"), self.ints([axis], "ax"),
                                self.ints([step], "sp")])
        elif kind == "pad":
            mode = self.choice(["constant", "constant", "reflect", "edge"])
            pads = [int(self.rng.integers(0, 3)) if self.chance(0.5) else 0 for _ in range(2 * len(s))]
            if mode == "reflect" and any(p >= d for p, d in zip(pads, list(s) * 2)):
                mode = "constant"
            ins = [x, self.ints(pads, "pads")]
            if mode == "constant" and self.chance(0.5):
                ins.append(self.const(np.float32(self.rng.normal()), "pv"))
            self.node("Pad", ins, mode=mode)
        elif kind == "gather":
            idx = self.rng.integers(-s[axis], s[axis], int(self.rng.integers(1, 4)))
            if self.chance(0.3):
                idx = idx[:1].reshape(())
            self.node("Gather", [x, self.ints(idx, "idx")], axis=axis)
        elif kind == "expand":
            target = [self.choice([d, 1]) if d != 1 else self.choice([1, 2, 3]) for d in s]
            self.node("Expand", [x, self.ints(target, "exp")])
        elif kind == "tile" and np.prod(s) <= 512:
            self.node("Tile", [x, self.ints([int(self.rng.integers(1, 3)) for _ in s], "rep")])
        return True

    def pool_op(self):
        kind = self.choice(["MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"])
        x = self.pick(lambda s: len(s) == 4, finite="Max" in kind)
        if x is None:
            return False
        s = self.shapes[x]
        if kind.startswith("Global"):
            self.node(kind, [x])
            return True
        k = [int(self.rng.integers(1, min(3, s[2]) + 1)), int(self.rng.integers(1, min(3, s[3]) + 1))]
        attrs = {"kernel_shape": k, "strides": [int(self.rng.integers(1, 3)) for _ in k]}
        if self.chance(0.5):
            attrs["pads"] = [int(self.rng.integers(0, k[i % 2])) if k[i % 2] > 1 else 0 for i in range(4)]
        if self.chance(0.3):
            attrs["ceil_mode"] = 1
        if kind == "AveragePool" and self.chance(0.5):
            attrs["count_include_pad"] = 1
        # A last ceil_mode window that would start past the input and its padding is dropped
        # (the spec, onnxruntime and fusedinf), but onnx's shape inference keeps it, and then
        # onnxruntime refuses the graph: no ceil_mode there.
        pads = attrs.get("pads", [0] * 4)
        for i in range(2):
            span, st = s[2 + i] + pads[i] + pads[i + 2] - k[i], attrs["strides"][i]
            if attrs.get("ceil_mode") and (-(-span // st)) * st >= s[2 + i] + pads[i]:
                del attrs["ceil_mode"]
        self.node(kind, [x], **attrs)
        return True

    def normalize(self):
        x = self.pick(lambda s: len(s) >= 1)
        if x is None:
            return False
        s = self.shapes[x]
        kind = self.choice(["Softmax", "LogSoftmax", "reduce", "reduce", "LayerNormalization",
                            "InstanceNormalization"])
        if kind.endswith("Normalization") and x in self.cancelled:
            return False
        if kind in ("Softmax", "LogSoftmax"):
            self.node(kind, [x], axis=int(self.rng.integers(-len(s), len(s))))
        elif kind == "reduce":
            op = self.choice(["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceL2", "ReduceSumSquare",
                              "ReduceLogSumExp", "ReduceL1"])
            if op in ("ReduceMax", "ReduceMin") and x in self.nonfinite:
                op = "ReduceSum"
            axes = [i for i in range(len(s)) if self.chance(0.4)]
            axes = [a - len(s) if self.chance(0.3) else a for a in axes]
            keep = int(self.chance(0.5))
            axes_input = self.opset >= 18 or (op == "ReduceSum" and self.opset >= 13)
            if not axes and self.chance(0.5):
                self.node(op, [x], keepdims=keep)  # all axes
            elif axes_input:
                self.node(op, [x, self.ints(axes or list(range(len(s))), "axes")], keepdims=keep)
            else:
                self.node(op, [x], axes=axes or list(range(len(s))), keepdims=keep)
        elif kind == "LayerNormalization" and self.opset >= 17:
            axis = int(self.rng.integers(-len(s), len(s)))
            norm = s[axis % len(s):]
            if np.prod(norm) < 4:  # over 2 or 3 near-equal values it amplifies any rounding
                return False
            ins = [x, self.const(self.values(norm, "scale"), "ln_s")]
            if self.chance(0.7):
                ins.append(self.const(self.values(norm), "ln_b"))
            self.node("LayerNormalization", ins, axis=axis, epsilon=1e-5)
        elif kind == "InstanceNormalization" and len(s) >= 3 and np.prod(s[2:]) >= 4:
            # (over 1 value the variance is 0 and onnxruntime's E[x^2] - E[x]^2 rounding, times
            # 1/sqrt(eps), is what shows: its answer is not B)
            self.node("InstanceNormalization", [x, self.const(self.values([s[1]], "scale"), "in_s"),
                                                self.const(self.values([s[1]]), "in_b")])
        return True

    def duplicate(self):
        """Copies the last 1-3 nodes with fresh names (their constants copied too: equal bytes
        under other names): CSE and dedup-constants should merge them, and must keep the values."""
        if not self.nodes:
            return False
        n = int(self.rng.integers(1, 4))
        chain = [nd for nd in self.nodes[-n:] if all(o in self.shapes for o in nd.output)]
        if not chain:
            return False
        renamed = {}
        inits = {t.name: t for t in self.inits}
        for nd in chain:
            ins = []
            for i in nd.input:
                if i in renamed:
                    ins.append(renamed[i])
                elif i in inits and self.chance(0.7):
                    ins.append(self.const(numpy_helper.to_array(inits[i]).copy(), "dup"))
                else:
                    ins.append(i)
            outs = [self.name("dup") for _ in nd.output]
            copy = helper.make_node(nd.op_type, ins, outs, name=self.name("n_dup"))
            copy.attribute.extend(nd.attribute)
            self.nodes.append(copy)
            for i in ins:
                if i:
                    self.readers[i] = self.readers.get(i, 0) + 1
            for o, oo in zip(nd.output, outs):
                renamed[o] = oo
                self.shapes[oo] = self.shapes[o]
                if o in self.bools:
                    self.bools.add(oo)
                elif min(self.shapes[oo], default=1) > 0:
                    self.pool.append(oo)
                if o in self.nonfinite:
                    self.nonfinite.add(oo)
        return True

    def misc(self):
        """Other accepted ops: DepthToSpace/SpaceToDepth, Resize, Where over a comparison, LRN,
        trigonometric maps."""
        kind = self.choice(["space", "resize", "where", "lrn", "trig"])
        if kind == "space":
            x = self.pick(lambda s: len(s) == 4)
            if x is None:
                return False
            s = self.shapes[x]
            if s[1] % 4 == 0 and self.chance(0.6):
                self.node("DepthToSpace", [x], blocksize=2, mode=self.choice(["DCR", "CRD"]))
            elif s[2] % 2 == 0 and s[3] % 2 == 0:
                self.node("SpaceToDepth", [x], blocksize=2)
        elif kind == "resize":  # (implementations weigh a NaN neighbour by 0 differently)
            x = self.pick(lambda s: len(s) == 4, finite=True)
            if x is None:
                return False
            mode = self.choice(["nearest", "linear"])
            # Only scales whose output lengths are whole: for align_corners with a fractional
            # one, onnx's reference (and fusedinf) divide by in * scale - 1, onnxruntime by the
            # rounded length - 1.
            sh = self.shapes[x]
            scales = np.array([1, 1] + [self.choice([2.0, 3.0, 1.0] + ([0.5] if d % 2 == 0 else []))
                                        for d in sh[2:]], np.float32)
            attrs = {"mode": mode}
            if mode == "linear":
                attrs["coordinate_transformation_mode"] = self.choice(["half_pixel", "align_corners", "asymmetric"])
            else:
                attrs["coordinate_transformation_mode"] = "asymmetric"
                attrs["nearest_mode"] = "floor"
            self.node("Resize", [x, "", self.const(scales, "scales")], **attrs)
        elif kind == "where":
            x = self.pick()
            if x is None:
                return False
            s = self.shapes[x]
            cond = self.node(self.choice(["Greater", "Less"]), [x, self.const(self.values([]) * 0.5, "thr")])
            other = self.const(self.values(self.broadcast_shape(s)), "alt")
            self.node("Where", [cond, x, other] if self.chance(0.5) else [cond, other, x])
        elif kind == "lrn":  # onnxruntime's running window sum spreads a NaN to other channels
            x = self.pick(lambda s: len(s) == 4, finite=True)
            if x is None:
                return False
            self.node("LRN", [x], size=int(self.choice([1, 3, 5])), alpha=1e-3, beta=0.75, bias=1.0)
        else:
            x = self.pick()
            if x is None:
                return False
            self.node(self.choice(["Sin", "Cos", "Atan", "Tanh", "Asinh"]), [x])
        return True

    def unary_on_input(self):
        """Ops whose answer jumps (Floor, Sign, ...): only on graph inputs, which both runs see alike."""
        x = self.choice([i.name for i in self.inputs])
        op = self.choice(["Floor", "Ceil", "Round", "Sign", "Reciprocal", "Sqrt", "Log", "Exp"])
        y = self.node(op, [x])
        if op in ("Reciprocal", "Sqrt", "Log", "Exp"):
            self.nonfinite.add(y)
        return True

    def build(self):
        self.add_input(self.random_input_shape())
        if self.chance(0.3):
            s = self.shapes[self.pool[0]]
            self.add_input(list(s) if self.chance(0.6) else self.broadcast_shape(s) or [1])
        steps = int(self.rng.integers(2, self.max_steps))
        makers = [(self.conv, 5), (self.gemm, 2), (self.matmul, 2), (self.activation, 3), (self.binary, 4),
                  (self.variadic, 1), (self.reshape_chain, 3), (self.concat_split_slice, 3), (self.pool_op, 2),
                  (self.normalize, 2), (self.duplicate, 2), (self.misc, 1.5), (self.unary_on_input, 0.7)]
        weights = np.array([w for _, w in makers], dtype=np.float64)
        first = self.choice([self.conv, self.conv, self.gemm, self.matmul])
        for i in range(steps + 1):
            maker = first if i == 0 else makers[int(self.rng.choice(len(makers), p=weights / weights.sum()))][0]
            try:
                maker()
            except (RuntimeError, onnx.shape_inference.InferenceError):
                pass  # a piece without a valid shape: what it added so far stays, valid
        # Outputs: every float tensor nobody reads, and some that others read (mid-graph).
        outputs = [t for t in self.pool if self.readers.get(t, 0) == 0 and min(self.shapes[t], default=1) > 0]
        mids = [t for t in self.pool if t not in outputs and self.chance(0.15) and min(self.shapes[t], default=1) > 0]
        outputs = outputs[-8:] + mids[:4]
        if self.chance(0.05):
            outputs.append(self.inputs[0].name)  # an input that is also an output
        self.outputs = list(dict.fromkeys(outputs))
        return self


def broadcasts(a, b):
    """Does shape a broadcast against shape b (numpy rules) to b's shape?"""
    if len(a) > len(b):
        return False
    return all(x == y or x == 1 for x, y in zip(a[::-1], b[::-1]))


def random_factorization(rng, n, rank):
    dims = [1] * rank
    m = n
    for p in prime_factors(n):
        dims[int(rng.integers(rank))] *= p
    assert np.prod(dims) == m
    return dims


def prime_factors(n):
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


def make_model(graphs, outputs_of=None):
    """One model holding several graphs (same opset); outputs_of: graph -> output names."""
    nodes, inits, inputs, outputs = [], [], [], []
    for g in graphs:
        nodes += g.nodes
        inits += g.inits
        inputs += g.inputs
        for o in (outputs_of or {}).get(g.seed, g.outputs):
            outputs.append(helper.make_tensor_value_info(o, F32, g.shapes[o]))
    if outputs_of:  # only the nodes the outputs need
        needed = {o.name for o in outputs}
        kept = []
        for nd in reversed(nodes):
            if any(o in needed for o in nd.output):
                kept.append(nd)
                needed.update(i for i in nd.input if i)
        nodes = kept[::-1]
        inits = [t for t in inits if t.name in needed]
        inputs = [i for i in inputs if i.name in needed] or inputs[:1]
    graph = helper.make_graph(nodes, "fuzz", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", graphs[0].opset)])
    model.ir_version = 8
    return model


def graph_inputs(g, model=None):
    rng = np.random.default_rng(g.seed + 7_000_000)
    feeds = {i.name: rng.standard_normal(g.shapes[i.name]).astype(np.float32) for i in g.inputs}
    if model is not None:
        wanted = {i.name for i in model.graph.input}
        feeds = {k: v for k, v in feeds.items() if k in wanted}
    return feeds


# ---- running
class OracleError(Exception):
    pass


class Runner:
    def __init__(self, fusedinf, tolerance, workdir):
        self.fusedinf = fusedinf
        self.tolerance = tolerance
        self.workdir = workdir
        self.processes = 0
        self.settled = 0  # outputs off from onnxruntime but matching onnx's reference

    def oracle(self, model, feeds):
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.log_severity_level = 4
        sess = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
        names = [o.name for o in sess.get_outputs()]
        return dict(zip(names, sess.run(names, feeds)))

    def fusedinf_outputs(self, model, feeds, passes):
        """Imports with `passes` and runs on the CPU backend: (outputs, None) or (None, error)."""
        d = tempfile.mkdtemp(dir=self.workdir)
        try:
            onnx.save(model, os.path.join(d, "model.onnx"))
            args = []
            for name, value in feeds.items():
                np.save(os.path.join(d, name + ".npy"), value)
                args += ["--input", "%s=%s" % (name, os.path.join(d, name + ".npy"))]
            fim = os.path.join(d, "model.fim")
            out = os.path.join(d, "out")
            os.mkdir(out)
            steps = [("import", [self.fusedinf, "import", os.path.join(d, "model.onnx"), "-o", fim, "--passes", passes]),
                     ("run", [self.fusedinf, "run", fim, "--backend", "cpu", "--save-outputs", out] + args)]
            for what, cmd in steps:
                self.processes += 1
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
                if p.returncode != 0:
                    msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
                    kind = "crash (signal %d)" % -p.returncode if p.returncode < 0 else what + " failed"
                    return None, "%s with --passes %s: %s" % (kind, passes, msg[-1] if msg else "")
            return {o.name: np.load(os.path.join(out, o.name + ".npy")) for o in model.graph.output}, None
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def compare(self, got, want):
        """None when got matches want, else what differs."""
        if got.shape != want.shape:
            return "shape %s, expected %s" % (got.shape, want.shape)
        if got.dtype != want.dtype:
            return "dtype %s, expected %s" % (got.dtype, want.dtype)
        if got.dtype.kind != "f":
            return None if np.array_equal(got, want) else "integer values differ"
        g, w = got.astype(np.float64), want.astype(np.float64)
        if not np.array_equal(np.isnan(g), np.isnan(w)):
            return "NaN at other places (%d vs %d NaN)" % (np.isnan(g).sum(), np.isnan(w).sum())
        inf_g, inf_w = np.isinf(g), np.isinf(w)
        if not np.array_equal(inf_g, inf_w) or not np.array_equal(g[inf_g], w[inf_w]):
            return "infinities at other places"
        finite = np.isfinite(w)
        diff = np.linalg.norm((g - w)[finite])
        norm = np.linalg.norm(w[finite])
        err = 0.0 if diff == 0 else diff / norm if norm > 0 else float("inf")
        # Values that cancel to about 0 (a log-sum-exp of a log-softmax) have no relative
        # precision: an RMS difference below ATOL passes too.
        rms = diff / np.sqrt(max(1, finite.sum()))
        if err <= self.tolerance or rms <= ATOL:
            return None
        return "relative L2 error %.3g (RMS difference %.3g, RMS %.3g)" % (err, rms, norm / np.sqrt(max(1, finite.sum())))

    def check(self, graphs, outputs_of=None):
        """Runs graphs as one model: {seed: problem} for the graphs that fail (empty: all match);
        None when a batch must be split. outputs_of: graph seed -> the outputs to check."""
        model = make_model(graphs, outputs_of)
        feeds = {}
        for g in graphs:
            feeds.update(graph_inputs(g, model))
        try:
            want = self.oracle(model, feeds)
        except Exception as e:  # onnxruntime refuses the graph: a generator bug (or its limit)
            if len(graphs) > 1:
                return None
            raise OracleError(str(e).splitlines()[-1]) from None
        problems = {}
        reference = {}
        for passes in ("default", "none"):
            got, error = self.fusedinf_outputs(model, feeds, passes)
            if error:
                if len(graphs) > 1:
                    return None  # find the graph at fault one by one
                return {graphs[0].seed: error}
            for g in graphs:
                for o in (outputs_of or {}).get(g.seed, g.outputs):
                    bad = self.compare(got[o], want[o])
                    if bad and self.settled_by_reference(model, feeds, reference, o, got[o]):
                        bad = None
                    if bad:
                        problems.setdefault(g.seed, []).append("--passes %s: output %s: %s" % (passes, o, bad))
                        break
        return {seed: "; ".join(p) for seed, p in problems.items()}

    def settled_by_reference(self, model, feeds, reference, name, got):
        """Where onnxruntime is the one that is off (its InstanceNormalization's E[x^2] - E[x]^2
        on values far from 0): an answer within tolerance of onnx's reference implementation
        passes. Used only to accept, never to reject; counted in self.settled."""
        if not reference:
            try:
                from onnx.reference import ReferenceEvaluator
                with np.errstate(all="ignore"):
                    outs = ReferenceEvaluator(model).run(None, feeds)
                reference.update(zip([o.name for o in model.graph.output], outs))
            except Exception:
                reference["failed"] = None
        if reference.get(name) is None or self.compare(got, np.asarray(reference[name]).astype(got.dtype)):
            return False
        self.settled += 1
        return True


def minimize(runner, g):
    """The earliest tensor (in node order) whose value differs, as the only output: the graph
    is then the nodes it needs. Returns (model, problem) or None."""
    for t in [o for nd in g.nodes for o in nd.output if o in g.shapes and min(g.shapes[o], default=1) > 0]:
        try:
            problem = runner.check([g], {g.seed: [t]}).get(g.seed)
        except OracleError:
            continue
        if problem:
            return make_model([g], {g.seed: [t]}), problem
    return None


def save_failure(out_dir, runner, g, problem, do_minimize):
    d = os.path.join(out_dir, "seed%d" % g.seed)
    os.makedirs(d, exist_ok=True)
    onnx.save(make_model([g]), os.path.join(d, "model.onnx"))
    for name, value in graph_inputs(g).items():
        np.save(os.path.join(d, name + ".npy"), value)
    text = "seed %d (opset %d): %s\n" % (g.seed, g.opset, problem)
    if do_minimize:
        small = minimize(runner, g)
        if small:
            onnx.save(small[0], os.path.join(d, "minimized.onnx"))
            for name, value in graph_inputs(g, small[0]).items():
                np.save(os.path.join(d, "minimized_" + name + ".npy"), value)
            text += "minimized (%d nodes): %s\n" % (len(small[0].graph.node), small[1])
    with open(os.path.join(d, "problem.txt"), "w") as f:
        f.write(text)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100, help="graphs to run")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first graph (then seed + 1, ...)")
    ap.add_argument("--out", default="graph_fuzz_out", help="where failing graphs are saved")
    ap.add_argument("--fusedinf", default=os.path.join(os.path.dirname(__file__), "..", "build", "fusedinf"))
    ap.add_argument("--batch", type=int, default=16, help="graphs per model (one import and run per batch)")
    ap.add_argument("--max-steps", type=int, default=12, help="graph pieces per graph: 2 to this - 1")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="largest relative L2 error accepted")
    ap.add_argument("--no-minimize", action="store_true", help="do not minimize failing graphs")
    ap.add_argument("--max-failures", type=int, default=20, help="stop after this many failing graphs")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    work = tempfile.mkdtemp(prefix="graph_fuzz_")
    binary = os.path.join(work, "fusedinf")  # a copy: a rebuild during a long run cannot break it
    shutil.copy2(args.fusedinf, binary)
    runner = Runner(binary, args.tolerance, work)
    ran = matched = invalid = 0
    failed = []
    pending = {}  # opset -> graphs waiting for a batch

    def report(g, problem):
        d = save_failure(args.out, runner, g, problem, not args.no_minimize)
        failed.append(g.seed)
        print("FAIL seed %d: %s (saved in %s)" % (g.seed, problem, d), flush=True)

    def flush(graphs):
        nonlocal ran, matched, invalid
        try:
            problems = runner.check(graphs)
        except OracleError:
            problems = None
        if problems is None:  # something failed: one by one
            problems, valid = {}, []
            for g in graphs:
                try:
                    problems.update(runner.check([g]))
                    valid.append(g)
                except OracleError as e:
                    invalid += 1
                    print("generator: seed %d: onnxruntime refuses it: %s" % (g.seed, e), flush=True)
            graphs = valid
        ran += len(graphs)
        for g in graphs:
            if g.seed in problems:
                report(g, problems[g.seed])
            else:
                matched += 1

    try:
        for seed in range(args.seed, args.seed + args.count):
            if len(failed) >= args.max_failures:
                break
            try:
                g = Builder(seed, args.max_steps).build()
                onnx.checker.check_model(make_model([g]), full_check=True)
                graph_inputs(g)
            except Exception as e:  # a generator bug, not a fusedinf one
                invalid += 1
                print("generator: seed %d: %s" % (seed, e), flush=True)
                continue
            batch = pending.setdefault(g.opset, [])
            batch.append(g)
            if len(batch) >= args.batch:
                flush(batch)
                pending[g.opset] = []
        for batch in pending.values():
            if batch and len(failed) < args.max_failures:
                flush(batch)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("graph_fuzz: seeds %d..%d: %d graphs ran, %d matched, %d failed, %d not generated (generator errors); "
          "%d outputs settled by onnx's reference; %d fusedinf processes, %.0f s"
          % (args.seed, args.seed + args.count - 1, ran, matched, len(failed), invalid, runner.settled,
             runner.processes, time.time() - start))
    if failed:
        print("failing seeds: " + " ".join(str(s) for s in failed))
    return 1 if failed or invalid else 0


if __name__ == "__main__":
    sys.exit(main())
