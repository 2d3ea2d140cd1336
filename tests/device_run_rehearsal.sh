#!/usr/bin/env bash
# scripts/device_run.sh on the CPU backend, so that its mechanics (steps that are shell
# functions under a time limit, wrappers for the packed libraries, the at most 8 result files)
# are checked without a GPU: the binaries of this build stand in for the unpacked pack.
#   device_run_rehearsal.sh SOURCE_DIR BUILD_DIR WORK_DIR ZOO_DIR
set -uo pipefail
src=$1 build=$2 work=$3 zoo=$4
if [ ! -f "$zoo/squeezenet1_1_op17/model.onnx" ] || ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "no exported zoo or no torch here: skipped"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work/pack/bin" "$work/pack/lib"
for b in fusedinf tests/fusedinf_unit_tests swap_bench latency_server; do ln -s "$build/$b" "$work/pack/bin/"; done
touch "$work/pack/.unpacked"
PATH=/usr/bin:$PATH DEVICE_RUN_BACKEND=cpu OUT="$work/out" DEVICE_WORK="$work" DEVICE_ZOO="$zoo" \
  LATENCY_OPTS="--models squeezenet1_1 --batches 1 --rounds 1 --iters 1" STEP_TIMEOUT=300 \
  "$src/scripts/device_run.sh" ops latency swap
failures=0
for s in backend_ops latency zoo_fims swap_bench; do
  if ! grep -qx "$s rc=0" "$work/out/summary.txt"; then
    echo "FAIL: step $s did not pass (see $work/$s.log)"
    failures=$((failures + 1))
  fi
done
for f in summary.txt logs.txt latency_cpu.md swap_cpu.md; do
  [ -s "$work/out/$f" ] || { echo "FAIL: $f is not among the results"; failures=$((failures + 1)); }
done
count=$(find "$work/out" -type f | wc -l)
[ "$count" -le 8 ] || { echo "FAIL: $count result files, the device tool returns 8"; failures=$((failures + 1)); }
grep -q "^| squeezenet1_1 | 1 | [0-9]" "$work/out/latency_cpu.md" || { echo "FAIL: no latency row"; failures=$((failures + 1)); }
[ $failures -eq 0 ] && echo "device_run.sh rehearsal passed"
exit $failures
