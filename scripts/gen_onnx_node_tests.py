#!/usr/bin/env python3
"""Generates ONNX's node conformance cases from the installed onnx wheel (the oracle venv).

The wheel ships the generators (onnx/backend/test/case/node/*.py), not their data. This writes
<out>/node/<case>/model.onnx + test_data_set_<i>/{input,output}_<j>.pb, the layout of Debian's
libonnx-testdata, for `fusedinf conformance`. A folder whose marker names this onnx version is
kept (a cache); otherwise it is written anew.
  $(scripts/python_env.sh) scripts/gen_onnx_node_tests.py --out ~/.cache/fusedinf/onnx-node-tests-1.23.2
"""
import argparse
import os
import shutil
import sys
import warnings

import onnx
from onnx import TensorProto, numpy_helper


def serialize(value, value_info):
    """One input or output as a serialized proto, by the kind of its graph value."""
    kind = value_info.type
    if kind.HasField("map_type"):
        return numpy_helper.from_dict(value, value_info.name).SerializeToString()
    if kind.HasField("sequence_type"):
        return numpy_helper.from_list(value, value_info.name).SerializeToString()
    if kind.HasField("optional_type"):
        return numpy_helper.from_optional(value, value_info.name).SerializeToString()
    if isinstance(value, TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(value, value_info.name).SerializeToString()


def write_case(case, root):
    folder = os.path.join(root, case.kind, case.name)
    os.makedirs(folder)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    for i, (inputs, outputs) in enumerate(case.data_sets):
        data_dir = os.path.join(folder, f"test_data_set_{i}")
        os.makedirs(data_dir)
        for prefix, values, infos in (("input", inputs, case.model.graph.input),
                                      ("output", outputs, case.model.graph.output)):
            for j, value in enumerate(values):
                with open(os.path.join(data_dir, f"{prefix}_{j}.pb"), "wb") as f:
                    f.write(serialize(value, infos[j]))


CACHE_DIR = os.path.join(os.environ.get("FUSEDINF_CACHE") or os.path.expanduser("~/.cache/fusedinf"),
                         "onnx-node-tests-1.23.2")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=CACHE_DIR, help="output folder (cases go under <out>/node)")
    args = parser.parse_args()
    marker = os.path.join(args.out, ".generated")
    if os.path.isfile(marker) and open(marker).read().strip() == onnx.__version__:
        print(f"ONNX {onnx.__version__} node cases: cached in {args.out}")
        return 0
    shutil.rmtree(args.out, ignore_errors=True)
    tmp = args.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generators' own numpy warnings (divide by zero, ...)
        import onnx.backend.test.case.node as node_cases

        cases = node_cases.collect_testcases()
    written = 0
    for case in cases:
        if case.model is None or not case.data_sets:
            continue
        write_case(case, tmp)
        written += 1
    with open(os.path.join(tmp, ".generated"), "w") as f:
        f.write(onnx.__version__ + "\n")
    os.rename(tmp, args.out)
    print(f"ONNX {onnx.__version__} node cases: {written} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
