#!/usr/bin/env bash
# One corpus test: import a pretrained model as its wheel ships it (scripts/fetch_corpus.py), with
# the default passes and the case's import options, run it on the CPU backend and compare every
# output with onnxruntime's (relative L2 <= 1e-4). A case marked `expected` ("unsupported: TEXT")
# passes only while fusedinf refuses it with a message holding TEXT.
#   run_corpus_case.sh FUSEDINF CASE_DIR WORK_DIR
set -euo pipefail
fusedinf=$1 case_dir=$2 work=$3
if [ ! -f "$case_dir/model.onnx" ]; then
  echo "missing $case_dir/model.onnx: run scripts/fetch_corpus.py first (scripts/test.sh does)" >&2
  exit 1
fi
rm -rf "$work"
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
check() {
  "$fusedinf" import "$case_dir/model.onnx" -o "$work/model.fim" "${import_args[@]}" || return 1
  local rc=0 matched
  "$fusedinf" run "$work/model.fim" --backend cpu --tolerance 1e-4 "${run_args[@]}" > "$work/run.log" 2>&1 || rc=$?
  cat "$work/run.log"
  [ "$rc" = 0 ] || return 1
  # Every output must have been compared (run skips an output that has no expected file).
  matched=$(grep -c 'vs expected: .*: match$' "$work/run.log" || true)
  if [ "$matched" != "$outputs" ]; then
    echo "error: $matched of $outputs outputs matched onnxruntime" >&2
    return 1
  fi
}
if [ ! -f "$case_dir/expected" ]; then
  check
  exit
fi
expected=$(cat "$case_dir/expected")
text=${expected#unsupported: }
if check > "$work/check.log" 2>&1; then
  cat "$work/check.log"
  echo "error: marked '$expected' but the model now matches onnxruntime: drop the mark in scripts/fetch_corpus.py" >&2
  exit 1
fi
cat "$work/check.log"
if ! grep -qF -- "$text" "$work/check.log"; then
  echo "error: marked '$expected' but fusedinf failed otherwise (above)" >&2
  exit 1
fi
echo "refused as expected ($expected)"
