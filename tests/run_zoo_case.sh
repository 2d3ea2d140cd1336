#!/usr/bin/env bash
# One zoo test: import a torch-exported model, run it on BACKEND and compare with torch's
# output (relative L2 <= 1e-4); then the same with every pass off, and the two runs of
# fusedinf must agree within relative L2 1e-5. Exits 77 (skipped) when BACKEND is not usable.
#   run_zoo_case.sh FUSEDINF CASE_DIR WORK_DIR [BACKEND (default cpu)]
set -euo pipefail
fusedinf=$1 case_dir=$2 work=$3 backend=${4:-cpu}
if ! "$fusedinf" backends --require "$backend" >/dev/null; then
  echo "no usable $backend backend here: skipped"
  exit 77
fi
if [ ! -f "$case_dir/model.onnx" ]; then
  echo "missing $case_dir/model.onnx: run scripts/export_zoo.py first (scripts/test.sh does)" >&2
  exit 1
fi
mkdir -p "$work"
"$fusedinf" import "$case_dir/model.onnx" -o "$work/model.fim"
"$fusedinf" import "$case_dir/model.onnx" -o "$work/model_nopasses.fim" --passes none
# On a device backend the third run replays a recorded CUDA graph: check that one.
runs=1
[ "$backend" = cpu ] || runs=3
"$fusedinf" run "$work/model.fim" --input "$case_dir/input.npy" --expect "$case_dir/expected.npy" --tolerance 1e-4 \
  --save-outputs "$work" --backend "$backend" --runs "$runs"
"$fusedinf" run "$work/model_nopasses.fim" --input "$case_dir/input.npy" --expect "output=$work/output.npy" \
  --tolerance 1e-5 --backend "$backend" --runs "$runs"
