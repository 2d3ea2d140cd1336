#!/usr/bin/env bash
# Import options on small ONNX models built with the onnx helper (tests/models/make_import_cases.py),
# compared with onnxruntime: --shape, --batch, --constant-input, If inlining, and tensor names with
# '/', ':', '=', '%', spaces and unicode through run --input / --expect / --save-outputs.
#   cli_import_cases.sh FUSEDINF SOURCE_DIR WORK_DIR     (exit 77: no oracle Python)
set -uo pipefail
fusedinf=$1 src=$2 work=$3
py=$("$src/scripts/python_env.sh") || { echo "no oracle Python (scripts/python_env.sh failed): skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
"$py" "$src/tests/models/make_import_cases.py" "$work/cases" || { echo "FAIL: making the test models"; exit 1; }
c=$work/cases
# shellcheck source=cli_expect.sh
source "$(dirname "$0")/cli_expect.sh"
# expect_ok COMMAND...: exits 0 (every --expect matched).
expect_ok() {
  local out
  if ! out=$("$@" 2>&1); then fail "'$*': $out"; fi
}

# --shape: an OCR-like detector [N,3,H,W]; H and W are not the batch.
expect_error "graph input 'x' [?,3,?,?] has unknown dims 2 (symbolic 'H'), 3 (symbolic 'W') (--batch sets only dim 0): give its shape with --shape x=D0,D1,..." \
  "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/dc.fim" --batch 2
# (options before the positional: each --shape / --input takes one value, never the model)
expect_ok "$fusedinf" import --shape x=2,3,8,10 "$c/dyn_conv/model.onnx" -o "$work/dc.fim"
expect_ok "$fusedinf" run --input "$c/dyn_conv/input_0.npy" --expect "$c/dyn_conv/expected_0.npy" "$work/dc.fim"
expect_error "sets dim 1 to 4, the model fixes it at 3" "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/x.fim" --shape x=2,4,8,10
expect_error "has rank 2, the model declares rank 4" "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/x.fim" --shape x=2,3
expect_error "--shape names 'z', which is not an input of the model (inputs: 'x')" \
  "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/x.fim" --shape z=1,3,8,8
expect_error "dim 'a' is not an integer >= 0" "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/x.fim" --shape x=1,a,8,8
expect_error "expected NAME=D0,D1,..." "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/x.fim" --shape 1,3,8,8
expect_error "--shape gives input 'x' twice" \
  "$fusedinf" import "$c/dyn_conv/model.onnx" -o "$work/x.fim" --shape x=1,3,8,8 --shape x=1,3,8,8
# -1 and 0 written for unknown dims.
expect_error "graph input 'x' [?,?] has unknown dim 1 (-1)" "$fusedinf" import "$c/neg_dims/model.onnx" -o "$work/x.fim"
expect_ok "$fusedinf" import "$c/neg_dims/model.onnx" -o "$work/nd.fim" --shape x=3,5 --batch 5
expect_ok "$fusedinf" run "$work/nd.fim" --input "$c/neg_dims/input_0.npy" --input "$c/neg_dims/input_1.npy" \
  --expect "$c/neg_dims/expected_0.npy"

# --constant-input and If: silero-vad's sample-rate test, with a nested If and branch weights.
expect_error "node '#2' (If, opset 17): the condition 'is16k' is not a constant at import" \
  "$fusedinf" import "$c/if_sr/model.onnx" -o "$work/x.fim"
expect_error "depends on graph input(s) 'sr': --constant-input" "$fusedinf" import "$c/if_sr/model.onnx" -o "$work/x.fim"
for sr in 16000 8000; do
  expect_ok "$fusedinf" import "$c/if_sr/model.onnx" -o "$work/if_$sr.fim" --constant-input sr=$sr
  expect_ok "$fusedinf" run "$work/if_$sr.fim" --input "$c/if_sr/input_0.npy" --expect "$c/if_sr/expected_$sr.npy"
  if "$fusedinf" inspect "$work/if_$sr.fim" | grep -qE "input sr|If "; then fail "if_$sr.fim still has sr or an If"; fi
done
expect_error "--constant-input sr has 2 values, its shape [] holds 1" \
  "$fusedinf" import "$c/if_sr/model.onnx" -o "$work/x.fim" --constant-input sr=16000,8000
expect_error "value '16k' is not a valid int64" "$fusedinf" import "$c/if_sr/model.onnx" -o "$work/x.fim" --constant-input sr=16k
expect_error "--constant-input names 'rate'" "$fusedinf" import "$c/if_sr/model.onnx" -o "$work/x.fim" --constant-input rate=1

# fuse takes the same options; MEMBER/NAME picks one member where two have an input x.
expect_ok "$fusedinf" fuse "dc=$c/dyn_conv/model.onnx" "vad=$c/if_sr/model.onnx" -o "$work/group.fim" \
  --shape dc/x=2,3,8,10 --constant-input sr=16000
expect_ok "$fusedinf" run "$work/group.fim" --input "dc/x=$c/dyn_conv/input_0.npy" --input "vad/x=$c/if_sr/input_0.npy" \
  --expect "dc/y=$c/dyn_conv/expected_0.npy" --expect "vad/y=$c/if_sr/expected_16000.npy"
expect_error "--shape names 'q', which is no input of an ONNX model being fused" \
  "$fusedinf" fuse "dc=$c/dyn_conv/model.onnx" "vad=$c/if_sr/model.onnx" -o "$work/x.fim" --shape q=1 --constant-input sr=1
expect_error "--shape names 'dc/x', which is no input of an ONNX model being fused" \
  "$fusedinf" fuse "dc=$work/dc.fim" "$c/if_sr/model.onnx" -o "$work/x.fim" --shape dc/x=2,3,8,10 --constant-input sr=16000

# Tensor names as they come: '/', ':', '=', '%', spaces, unicode, a leading '.'.
n=$c/names
expect_ok "$fusedinf" import "$n/model.onnx" -o "$work/names.fim"
mkdir -p "$work/out"
expect_ok "$fusedinf" run "$work/names.fim" --input "in/put:0 é=$n/input_0.npy" --save-outputs "$work/out" \
  --expect "save_infer_model/scale_0.tmp_1=$n/expected_0.npy" --expect "a:0 b=c=$n/expected_1.npy" \
  --expect "%25 ünïcode=$n/expected_2.npy" --expect ".hidden=$n/expected_3.npy"
for f in "save_infer_model%2Fscale_0.tmp_1.npy" "a%3A0%20b%3Dc.npy" "%2525%20%C3%BCn%C3%AFcode.npy" "%2Ehidden.npy"; do
  [ -f "$work/out/$f" ] || fail "run --save-outputs did not write $f (wrote: $(ls "$work/out"))"
done
# The saved files are the outputs: they match onnxruntime's again.
expect_ok "$fusedinf" run "$work/names.fim" --input "in/put:0 é=$n/input_0.npy" \
  --expect "save_infer_model/scale_0.tmp_1=$n/expected_0.npy" \
  --expect "a:0 b=c=$work/out/a%3A0%20b%3Dc.npy" --expect "%25 ünïcode=$work/out/%2525%20%C3%BCn%C3%AFcode.npy"
"$py" - "$work/out" "$n" <<'PY' || fail "saved outputs differ from onnxruntime's"
import sys, numpy as np
out, n = sys.argv[1], sys.argv[2]
files = ["save_infer_model%2Fscale_0.tmp_1", "a%3A0%20b%3Dc", "%2525%20%C3%BCn%C3%AFcode", "%2Ehidden"]
for k, f in enumerate(files):
    np.testing.assert_allclose(np.load(f"{out}/{f}.npy"), np.load(f"{n}/expected_{k}.npy"), rtol=1e-5, atol=1e-6)
PY
expect_error "output 'a:0 b' is not a name of the model" "$fusedinf" run "$work/names.fim" --expect "a:0 b=$n/expected_1.npy"

[ $failures -eq 0 ] && echo "all import-option and tensor-name cases behaved"
exit $failures
