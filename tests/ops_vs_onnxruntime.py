#!/usr/bin/env python3
"""One-node ONNX models of the ops added for issue 11, and of ops at opsets past 21, each run
through `fusedinf import` + `fusedinf run --backend cpu` and compared with onnxruntime on the
same seeded inputs: float outputs by relative L2 <= 1e-4 (non-finite elements exactly),
integer and bool outputs exactly. Constant inputs (axis, K, roi, sizes, ...) are
initializers, as exporters write them.

Usage: ops_vs_onnxruntime.py FUSEDINF [--keep DIR] [-k SUBSTRING]
Run with the oracle venv (scripts/python_env.sh). Exit 1 when any case fails.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(11)
F = TensorProto.FLOAT
I64 = TensorProto.INT64
I32 = TensorProto.INT32
BOOL = TensorProto.BOOL
NP = {F: np.float32, I64: np.int64, I32: np.int32, BOOL: np.bool_}


def normal(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def ints(lo, hi, *shape, dtype=np.int64):
    return RNG.integers(lo, hi, size=shape).astype(dtype)


def case(name, op, inputs, outputs, attrs=None, consts=None, opset=21):
    """inputs: [(name, array)] fed at run time; consts: [(name, array)] initializers, in
    the node's input order after the inputs unless `order` names them; outputs: [(name,
    elem_type, shape or None)]."""
    return dict(name=name, op=op, inputs=inputs, outputs=outputs, attrs=attrs or {}, consts=consts or [],
                opset=opset)


def with_nan_inf(shape):
    x = normal(*shape)
    flat = x.reshape(-1)
    flat[::5] = np.nan
    flat[1::7] = np.inf
    flat[2::7] = -np.inf
    return x


def cases():
    c = []
    # ---- Gelu, IsNaN, IsInf, CastLike.
    c.append(case("gelu_erf", "Gelu", [("x", normal(3, 17))], [("y", F)], opset=20))
    c.append(case("gelu_tanh", "Gelu", [("x", 3 * normal(4, 9))], [("y", F)], {"approximate": "tanh"}, opset=20))
    c.append(case("isnan", "IsNaN", [("x", with_nan_inf((5, 7)))], [("y", BOOL)]))
    c.append(case("isinf", "IsInf", [("x", with_nan_inf((5, 7)))], [("y", BOOL)]))
    c.append(case("isinf_neg_only", "IsInf", [("x", with_nan_inf((5, 7)))], [("y", BOOL)],
                  {"detect_positive": 0}))
    c.append(case("isinf_pos_only", "IsInf", [("x", with_nan_inf((5, 7)))], [("y", BOOL)],
                  {"detect_negative": 0}))
    c.append(case("castlike_f32_to_i64", "CastLike", [("x", 10 * normal(4, 6))], [("y", I64)],
                  consts=[("like", np.zeros([2], np.int64))]))
    c.append(case("castlike_i32_to_f32", "CastLike", [("x", ints(-50, 50, 3, 5, dtype=np.int32))], [("y", F)],
                  consts=[("like", np.zeros([1], np.float32))]))
    # ---- Mod-28: fmod=0 on floats (the sign of the divisor).
    c.append(case("mod28_float_fmod0", "Mod", [("a", 10 * normal(4, 6)), ("b", normal(6) + np.float32(3) *
                                                                        np.sign(normal(6)))], [("y", F)], opset=28))
    # ---- CumSum.
    for ex in (0, 1):
        for rev in (0, 1):
            c.append(case(f"cumsum_axis1_ex{ex}_rev{rev}", "CumSum", [("x", normal(3, 8, 5))], [("y", F)],
                          {"exclusive": ex, "reverse": rev}, consts=[("axis", np.array(1, np.int64))]))
    c.append(case("cumsum_int64_neg_axis", "CumSum", [("x", ints(-9, 9, 4, 6))], [("y", I64)],
                  {"reverse": 1}, consts=[("axis", np.array(-1, np.int32))]))
    # ---- GroupNormalization: opset 18 (scale/bias per group), 21 (per channel).
    c.append(case("groupnorm18", "GroupNormalization", [("x", normal(2, 6, 5, 3))], [("y", F)],
                  {"num_groups": 3, "epsilon": 1e-3},
                  consts=[("scale", normal(3)), ("bias", normal(3))], opset=18))
    c.append(case("groupnorm21", "GroupNormalization", [("x", normal(2, 8, 7))], [("y", F)],
                  {"num_groups": 4}, consts=[("scale", normal(8)), ("bias", normal(8))], opset=21))
    c.append(case("groupnorm21_one_group", "GroupNormalization", [("x", normal(1, 4, 3, 3))], [("y", F)],
                  {"num_groups": 1}, consts=[("scale", normal(4)), ("bias", normal(4))], opset=21))
    # ---- noop_with_empty_axes.
    c.append(case("reducesum_noop_empty", "ReduceSum", [("x", normal(3, 4))], [("y", F)],
                  {"noop_with_empty_axes": 1}, opset=13))
    c.append(case("reducesum_noop_given_axes", "ReduceSum", [("x", normal(3, 4))], [("y", F)],
                  {"noop_with_empty_axes": 1, "keepdims": 0}, consts=[("axes", np.array([1], np.int64))], opset=13))
    c.append(case("reducemean_all_empty", "ReduceMean", [("x", normal(3, 4))], [("y", F)],
                  {"noop_with_empty_axes": 0}, opset=18))
    c.append(case("reducemax_noop_empty18", "ReduceMax", [("x", normal(3, 4))], [("y", F)],
                  {"noop_with_empty_axes": 1}, opset=18))
    # ---- TopK: ties broken by lower index.
    tied = ints(0, 4, 3, 10).astype(np.float32)
    c.append(case("topk_largest_ties", "TopK", [("x", tied)], [("values", F), ("indices", I64)],
                  consts=[("k", np.array([4], np.int64))]))
    c.append(case("topk_smallest_axis0", "TopK", [("x", tied)], [("values", F), ("indices", I64)],
                  {"largest": 0, "axis": 0}, consts=[("k", np.array([2], np.int64))]))
    c.append(case("topk_int64_all", "TopK", [("x", ints(-3, 3, 2, 3, 6))], [("values", I64), ("indices", I64)],
                  {"axis": 1}, consts=[("k", np.array([3], np.int64))]))
    nan_row = np.array([[1, np.nan, 3, np.nan, 2, -np.inf]], np.float32)
    for largest in (0, 1):
        c.append(case(f"topk_nan_largest{largest}", "TopK", [("x", nan_row)], [("values", F), ("indices", I64)],
                      {"largest": largest}, consts=[("k", np.array([4], np.int64))]))
    c.append(case("topk_opset9_attribute_k", "TopK", [("x", normal(3, 7))], [("values", F), ("indices", I64)],
                  {"k": 3, "axis": 0}, opset=9))
    c.append(case("topk_random_k0", "TopK", [("x", normal(2, 5))], [("values", F), ("indices", I64)],
                  consts=[("k", np.array([0], np.int64))]))
    # ---- GatherND.
    c.append(case("gathernd_slices", "GatherND", [("x", normal(4, 5, 3)), ("i", ints(-4, 4, 2, 3, 1))],
                  [("y", F)]))
    c.append(case("gathernd_elements", "GatherND", [("x", normal(4, 5, 3)), ("i", np.stack(
        [ints(0, 4, 6), ints(-5, 5, 6), ints(0, 3, 6)], axis=-1))], [("y", F)]))
    c.append(case("gathernd_batch1", "GatherND", [("x", normal(2, 5, 3)), ("i", ints(0, 5, 2, 4, 1))],
                  [("y", F)], {"batch_dims": 1}))
    c.append(case("gathernd_batch2_int", "GatherND",
                  [("x", ints(-9, 9, 2, 3, 4, 5)), ("i", ints(0, 4, 2, 3, 2, 1))], [("y", I64)], {"batch_dims": 2}))
    # ---- ScatterND (unique indices for none; repeated for the reductions).
    perm = RNG.permutation(6)[:4].reshape(4, 1).astype(np.int64)
    c.append(case("scatternd_rows", "ScatterND", [("x", normal(6, 3)), ("i", perm), ("u", normal(4, 3))],
                  [("y", F)], opset=16))
    for red in ("add", "mul", "max", "min"):
        c.append(case(f"scatternd_{red}_dups", "ScatterND",
                      [("x", normal(4, 3, 2)), ("i", np.stack([ints(-4, 4, 5), ints(-3, 3, 5)], axis=-1)),
                       ("u", normal(5, 2))], [("y", F)],
                      {"reduction": red}, opset=18))
    # ---- ScatterElements.
    c.append(case("scatterelements_axis1_unique", "ScatterElements",
                  [("x", normal(3, 6)), ("i", np.stack([RNG.permutation(6)[:4] for _ in range(3)]).astype(np.int64)),
                   ("u", normal(3, 4))], [("y", F)], {"axis": 1}))
    for red in ("add", "mul", "max", "min"):
        c.append(case(f"scatterelements_{red}", "ScatterElements",
                      [("x", normal(4, 5)), ("i", ints(-4, 4, 3, 5)), ("u", normal(3, 5))], [("y", F)],
                      {"axis": 0, "reduction": red}, opset=18))
    c.append(case("scatterelements_int32_idx_int_data", "ScatterElements",
                  [("x", ints(-9, 9, 2, 4)), ("i", ints(0, 4, 2, 3, dtype=np.int32)), ("u", ints(-9, 9, 2, 3))],
                  [("y", I64)], {"axis": -1, "reduction": "add"}, opset=16))
    # ---- Resize: axes, the coordinate modes, keep_aspect_ratio_policy.
    x4 = normal(1, 2, 5, 7)
    empty = np.zeros([0], np.float32)
    # Scales whose source coordinates never fall exactly on a rounding tie or a border:
    # there onnxruntime's float32 arithmetic and the spec's (and our) double arithmetic may
    # round to different neighbours. align_corners takes sizes: with scales, onnxruntime
    # divides by the integer output length and the spec's reference (and we, and ONNX's
    # conformance data) by scale * input length.
    for coord in ("half_pixel_symmetric", "half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel"):
        for mode in ("linear", "nearest"):
            given = (("scales", empty), ("sizes", np.array([1, 2, 8, 4], np.int64))) if coord == "align_corners" \
                else (("scales", np.array([1, 1, 1.7, 0.65], np.float32)),)
            c.append(case(f"resize_{coord}_{mode}", "Resize", [("x", x4)], [("y", F)],
                          {"coordinate_transformation_mode": coord, "mode": mode},
                          consts=[("roi", empty), *given], opset=19))
    c.append(case("resize_axes_sizes", "Resize", [("x", x4)], [("y", F)],
                  {"axes": [3, 2], "mode": "linear"},
                  consts=[("roi", empty), ("scales", empty), ("sizes", np.array([9, 3], np.int64))], opset=19))
    c.append(case("resize_axes_scales_nearest", "Resize", [("x", x4)], [("y", F)],
                  {"axes": [-1], "mode": "nearest", "nearest_mode": "floor"},
                  consts=[("roi", empty), ("scales", np.array([2.5], np.float32))], opset=18))
    for policy in ("not_larger", "not_smaller"):
        c.append(case(f"resize_{policy}", "Resize", [("x", x4)], [("y", F)],
                      {"axes": [2, 3], "keep_aspect_ratio_policy": policy, "mode": "linear"},
                      consts=[("roi", empty), ("scales", empty), ("sizes", np.array([8, 8], np.int64))], opset=18))
    for mode in ("linear", "nearest"):
        c.append(case(f"resize_tf_crop_and_resize_{mode}", "Resize", [("x", x4)], [("y", F)],
                      {"coordinate_transformation_mode": "tf_crop_and_resize", "mode": mode,
                       "extrapolation_value": 7.5},
                      consts=[("roi", np.array([0, 0, -0.15, 0.3, 1, 1, 0.8, 1.3], np.float32)),
                              ("scales", empty), ("sizes", np.array([1, 2, 6, 4], np.int64))], opset=13))
    c.append(case("resize_tf_crop_and_resize_axes", "Resize", [("x", x4)], [("y", F)],
                  {"coordinate_transformation_mode": "tf_crop_and_resize", "mode": "linear", "axes": [3]},
                  consts=[("roi", np.array([0.1, 0.9], np.float32)), ("scales", empty),
                          ("sizes", np.array([5], np.int64))], opset=18))
    for coord in ("half_pixel", "asymmetric", "pytorch_half_pixel"):
        for exclude in (0, 1):
            c.append(case(f"resize_cubic_{coord}_exclude{exclude}", "Resize", [("x", x4)], [("y", F)],
                          {"coordinate_transformation_mode": coord, "mode": "cubic", "exclude_outside": exclude,
                           "cubic_coeff_a": -0.5 if exclude else -0.75},
                          consts=[("roi", empty), ("scales", np.array([1, 1, 1.7, 0.65], np.float32))], opset=19))
    c.append(case("resize_cubic_align_corners_sizes", "Resize", [("x", x4)], [("y", F)],
                  {"coordinate_transformation_mode": "align_corners", "mode": "cubic"},
                  consts=[("roi", empty), ("scales", empty), ("sizes", np.array([1, 2, 9, 3], np.int64))], opset=13))
    c.append(case("resize_tf_half_pixel_for_nn", "Resize", [("x", x4)], [("y", F)],
                  {"coordinate_transformation_mode": "tf_half_pixel_for_nn", "mode": "nearest"},
                  consts=[("roi", empty), ("scales", np.array([1, 1, 0.65, 1.3], np.float32))], opset=11))
    # ---- Opsets past 21: versions that only added dtypes, read as before.
    c.append(case("conv_opset22", "Conv", [("x", normal(1, 3, 9, 8))], [("y", F)], {"pads": [1, 1, 1, 1]},
                  consts=[("w", normal(4, 3, 3, 3)), ("b", normal(4))], opset=22))
    c.append(case("averagepool_ceil_opset22", "AveragePool", [("x", normal(1, 2, 7, 6))], [("y", F)],
                  {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1}, opset=22))
    c.append(case("cast_opset25", "Cast", [("x", 10 * normal(3, 5))], [("y", I32)], {"to": TensorProto.INT32},
                  opset=25))
    c.append(case("spacetodepth_dcr_opset28", "SpaceToDepth", [("x", normal(1, 2, 4, 6))], [("y", F)],
                  {"blocksize": 2}, opset=28))
    c.append(case("hardswish_opset22", "HardSwish", [("x", 4 * normal(2, 9))], [("y", F)], opset=22))
    return c


def build_model(c):
    inits = [numpy_helper.from_array(v, name=n) for n, v in c["consts"]]
    node_inputs = [n for n, _ in c["inputs"]] + [n for n, _ in c["consts"]]
    node = helper.make_node(c["op"], node_inputs, [n for n, *_ in c["outputs"]], **c["attrs"])
    ins = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape) for n, v in c["inputs"]]
    outs = [helper.make_tensor_value_info(n, t, None) for n, t, *_ in c["outputs"]]
    graph = helper.make_graph([node], c["name"], ins, outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", c["opset"])])
    model.ir_version = 8 if c["opset"] <= 18 else 10
    return model


def compare(name, got, want):
    if got.shape != want.shape:
        return f"{name}: shape {got.shape}, onnxruntime {want.shape}"
    if want.dtype.kind in "f":
        # Non-finite elements must match exactly (NaN where NaN, the same infinities); the
        # finite ones by relative L2.
        g, w = got.astype(np.float64), want.astype(np.float64)
        finite = np.isfinite(w)
        same = np.array_equal(np.isfinite(g), finite) and np.array_equal(np.isnan(g), np.isnan(w)) and \
            np.array_equal(g[np.isinf(w)], w[np.isinf(w)])
        if not same:
            return f"{name}: non-finite elements differ"
        g, w = g[finite], w[finite]
        norm = np.linalg.norm(w)
        rel = np.linalg.norm(g - w) / norm if norm > 0 else np.linalg.norm(g - w)
        if not rel <= 1e-4:
            return f"{name}: relative L2 {rel:.3g}"
        return None
    if got.dtype != want.dtype:
        return f"{name}: dtype {got.dtype}, onnxruntime {want.dtype}"
    if not np.array_equal(got, want):
        return f"{name}: {int(np.sum(got != want))} of {want.size} elements differ"
    return None


def run_case(fusedinf, c, work):
    model = build_model(c)
    d = os.path.join(work, c["name"])
    os.makedirs(d, exist_ok=True)
    onnx_path, fim_path, out_dir = os.path.join(d, "m.onnx"), os.path.join(d, "m.fim"), os.path.join(d, "out")
    onnx.save(model, onnx_path)
    feeds = dict(c["inputs"])
    try:
        want = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"]).run(None, feeds)
    except Exception as e:  # noqa: BLE001 - a case onnxruntime refuses is a wrong case
        return f"onnxruntime failed: {e}"
    os.makedirs(out_dir, exist_ok=True)
    args = [fusedinf, "run", fim_path, "--backend", "cpu", "--save-outputs", out_dir]
    for n, v in c["inputs"]:
        p = os.path.join(d, n + ".npy")
        np.save(p, v)
        args += ["--input", f"{n}={p}"]
    imp = subprocess.run([fusedinf, "import", onnx_path, "-o", fim_path], capture_output=True, text=True)
    if imp.returncode != 0:
        return f"import failed: {imp.stderr.strip() or imp.stdout.strip()}"
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        return f"run failed: {run.stderr.strip() or run.stdout.strip()}"
    errors = []
    for (n, *_), w in zip(c["outputs"], want):
        got = np.load(os.path.join(out_dir, n + ".npy"))
        e = compare(n, got, np.asarray(w))
        if e:
            errors.append(e)
    return "; ".join(errors) or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fusedinf")
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one)")
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="ops_vs_ort_")
    failed = 0
    selected = [c for c in cases() if a.k in c["name"]]
    for c in selected:
        err = run_case(a.fusedinf, c, work)
        print(f"{'FAIL' if err else 'ok  '} {c['name']} ({c['op']}, opset {c['opset']})" + (f": {err}" if err else ""))
        failed += bool(err)
    print(f"{len(selected) - failed} passed, {failed} failed of {len(selected)} one-node models against onnxruntime "
          f"{ort.__version__}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
