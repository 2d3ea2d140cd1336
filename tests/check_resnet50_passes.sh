#!/usr/bin/env bash
# Issue 3's check on a real model: ResNet-50 exported with its BatchNormalization nodes kept
# has none after fusedinf's default passes, and no standalone Relu (every Relu fused into a
# convolution's epilogue); without passes both are still there.
#   check_resnet50_passes.sh FUSEDINF CASE_DIR WORK_DIR
set -euo pipefail
fusedinf=$1 case_dir=$2 work=$3
mkdir -p "$work"
"$fusedinf" import "$case_dir/model.onnx" -o "$work/nopasses.fim" --passes none >/dev/null
"$fusedinf" import "$case_dir/model.onnx" -o "$work/passes.fim" >/dev/null
count() {  # OP FIM: how many nodes of OP the model has
  "$fusedinf" inspect "$2" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['ops'].get('$1', 0))"
}
failed=0
expect() {  # WHAT GOT CONDITION
  if ! [ "$2" $3 ]; then
    echo "FAIL: $1: $2 (expected $3)"
    failed=1
  else
    echo "ok: $1: $2"
  fi
}
expect "BatchNormalization without passes" "$(count BatchNormalization "$work/nopasses.fim")" "-gt 0"
expect "Relu without passes" "$(count Relu "$work/nopasses.fim")" "-gt 0"
expect "BatchNormalization after passes" "$(count BatchNormalization "$work/passes.fim")" "-eq 0"
expect "Relu after passes" "$(count Relu "$work/passes.fim")" "-eq 0"
expect "FusedConv after passes" "$(count FusedConv "$work/passes.fim")" "-gt 0"
exit $failed
