#!/usr/bin/env bash
# One corpus test: import a pretrained model as its wheel ships it (scripts/fetch_corpus.py), with
# the default passes and the case's import options, run it on the CPU backend and compare every
# output with onnxruntime's (relative L2 <= 1e-4).
#   run_corpus_case.sh FUSEDINF CASE_DIR WORK_DIR
set -euo pipefail
fusedinf=$1 case_dir=$2 work=$3
if [ ! -f "$case_dir/model.onnx" ]; then
  echo "missing $case_dir/model.onnx: run scripts/fetch_corpus.py first (scripts/test.sh does)" >&2
  exit 1
fi
mkdir -p "$work"
mapfile -t import_args < "$case_dir/import_args"
run_args=()
while IFS= read -r line; do run_args+=(--input "${line%%=*}=$case_dir/${line#*=}"); done < "$case_dir/run_inputs"
outputs=0
while IFS= read -r line; do
  run_args+=(--expect "${line%%=*}=$case_dir/${line#*=}")
  outputs=$((outputs + 1))
done < "$case_dir/run_expects"
echo "import options: ${import_args[*]:-(none)}"
"$fusedinf" import "$case_dir/model.onnx" -o "$work/model.fim" "${import_args[@]}"
"$fusedinf" run "$work/model.fim" --backend cpu --tolerance 1e-4 "${run_args[@]}" | tee "$work/run.log"
# Every output must have been compared (run skips an output that has no expected file).
matched=$(grep -c 'vs expected: .*: match$' "$work/run.log" || true)
if [ "$matched" != "$outputs" ]; then
  echo "error: $matched of $outputs outputs matched onnxruntime" >&2
  exit 1
fi
