#!/usr/bin/env bash
# Every CLI error is a message on stderr and a non-zero exit, never a crash (exit >= 128).
#   cli_errors.sh FUSEDINF WORK_DIR
set -uo pipefail
fusedinf=$1 work=$2
mkdir -p "$work"
# shellcheck source=cli_expect.sh
source "$(dirname "$0")/cli_expect.sh"
head -c 3000 /dev/urandom >"$work/garbage.onnx"
cp "$work/garbage.onnx" "$work/garbage.fim"
cp "$work/garbage.onnx" "$work/garbage.npy"
printf 'FIM1' >"$work/tiny.fim"
expect_error "not a valid ONNX model" "$fusedinf" import "$work/garbage.onnx" -o "$work/x.fim"
expect_error "cannot open" "$fusedinf" import "$work/missing.onnx" -o "$work/x.fim"
expect_error "expected a .onnx file" "$fusedinf" import "$work/garbage.fim" -o "$work/x.fim"
expect_error "error:" "$fusedinf" inspect "$work/garbage.fim"
expect_error "too short" "$fusedinf" run "$work/tiny.fim"
expect_error "cannot open" "$fusedinf" run "$work/missing.fim"
expect_error "not in range" "$fusedinf" run "$work/tiny.fim" --runs 0
expect_error "unknown pass" "$fusedinf" import "$work/garbage.onnx" -o "$work/x.fim" --passes teleport
expect_error "bad budget" "$fusedinf" pool --models "$work" --budget lots --trace "$work/tiny.fim"
expect_error "models is required" "$fusedinf" fuse -o "$work/g.fim"
expect_error "A subcommand is required" "$fusedinf" teleport
expect_error "no test cases" "$fusedinf" conformance "$work"
# A real model with a wrong input.
if [ -n "${FUSEDINF_ZOO_CASE:-}" ] && [ -f "$FUSEDINF_ZOO_CASE/model.onnx" ]; then
  "$fusedinf" import "$FUSEDINF_ZOO_CASE/model.onnx" -o "$work/m.fim" >/dev/null
  expect_error "expected float32 [1,16,128], got float32 [1,3,224,224]" \
    "$fusedinf" run "$work/m.fim" --input "input=$(dirname "$FUSEDINF_ZOO_CASE")/resnet18_op13/input.npy"
  expect_error "is not a name of the model" "$fusedinf" run "$work/m.fim" --input "nope=$FUSEDINF_ZOO_CASE/input.npy"
  expect_error "is not a .npy file" "$fusedinf" run "$work/m.fim" --input "$work/garbage.npy"
  # Repeated runs (from the third on, replayed where the backend records) give the expected output.
  if ! "$fusedinf" run "$work/m.fim" --runs 3 --explain --input "$FUSEDINF_ZOO_CASE/input.npy" \
    --expect "$FUSEDINF_ZOO_CASE/expected.npy" >"$work/runs.txt" 2>&1 || ! grep -q "outputs of run 3 of 3" "$work/runs.txt"; then
    echo "FAIL: 'run --runs 3' did not match the expected output: $(cat "$work/runs.txt")"
    failures=$((failures + 1))
  fi
  # Fusing into one of the inputs replaces it with a valid group (written aside, then renamed).
  cp "$work/m.fim" "$work/m2.fim"
  if ! "$fusedinf" fuse "$work/m.fim" "$work/m2.fim" -o "$work/m.fim" >/dev/null ||
    ! "$fusedinf" inspect "$work/m.fim" >/dev/null; then
    echo "FAIL: 'fuse m.fim m2.fim -o m.fim' did not leave a valid m.fim"
    failures=$((failures + 1))
  fi
fi
[ $failures -eq 0 ] && echo "all CLI error cases behaved"
exit $failures
