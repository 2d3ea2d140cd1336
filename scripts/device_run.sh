#!/usr/bin/env bash
# Runs ON the GPU machine, from the repository root, after scripts/pack_for_device.sh was run
# on the build machine and build-device/ was carried over (../shared/GPU.md). Each step
# writes its log under $DEVICE_WORK (default /tmp/fusedinf-device) and one line "STEP rc=N" to
# summary.txt; a failing step does not stop the others, and each is cut off after
# $STEP_TIMEOUT seconds (default 240) so that one slow step cannot use up the session's device
# time. At the end, $OUT (default device-out/) receives at most 8 files: summary.txt, logs.txt
# (every step's log), nvidia-smi.txt and the result tables and JSON.
#   device_run.sh [STEP...]   steps: info ops zoo conformance latency swap memcheck (default:
#   all, in this order: the quick checks first, the slow memcheck last); zoo_cpu is extra.
# DEVICE_RUN_BACKEND=cpu rehearses the same steps on the CPU backend (no info, no memcheck),
# which is how this script was checked: no GPU has been available to the sessions that wrote it.
# LATENCY_OPTS: more options for bench/latency_vs_torch.py (e.g. "--rounds 1 --iters 2").
# DEVICE_ZOO: an already exported zoo to use (tests/device_run_rehearsal.sh passes CI's).
# Device time is short (15 minutes a session, machine start included) and one call may run 10
# minutes: run the steps in two calls, back to back (the machine stays warm only 30 s), with
# the device tool's run, carry ["build-device"]:
#   scripts/device_run.sh info ops zoo conformance memcheck   (timeout_s 450)
#   scripts/device_run.sh latency swap                        (timeout_s 420)
# The zoo of the first call is reused by the second, or exported again if gone. Step limits:
# $STEP_TIMEOUT (240 s) each, $LATENCY_TIMEOUT (default the same), $MEMCHECK_TIMEOUT (90 s);
# latency and memcheck keep what they finished when cut off (the table is written row by row,
# memcheck logs model by model), the most important models first.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${OUT:-device-out}  # what comes back: at most 8 files (the device tool's limit)
out=${DEVICE_WORK:-/tmp/fusedinf-device}  # everything else
mkdir -p "$out" "$results"
self=$PWD/scripts/device_run.sh
zoo=${DEVICE_ZOO:-$out/zoo}  # the exported zoo (scripts/export_zoo.py): reused when already there
# What scripts/pack_for_device.sh packed, unpacked with Python (no xz tool needed).
pack=$out/pack
if [ ! "$pack/.unpacked" -nt build-device/fusedinf-device.tar.xz ]; then
  rm -rf "$pack"
  mkdir -p "$pack"
  python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" \
    build-device/fusedinf-device.tar.xz "$pack" || { echo "cannot unpack build-device/fusedinf-device.tar.xz" >&2; exit 1; }
  touch "$pack/.unpacked"
fi
backend=${DEVICE_RUN_BACKEND:-cuda}
# cuDNN there is PyTorch's wheel (nvidia/cudnn/lib); search the nvidia namespace for it in case
# a later wheel moves it, and for the wheels' cuBLAS/cudart as a fallback behind the toolkit's.
wheel_libs() {
  python3 -c "
import glob, os, sys, nvidia
hits = [p for base in nvidia.__path__ for p in glob.glob(os.path.join(base, '**', sys.argv[1]), recursive=True)]
print(os.path.dirname(hits[0]) if hits else '')" "$1" 2>/dev/null
}
cudnn_lib=$(wheel_libs libcudnn.so.9)
cuda_wheel_lib=$(wheel_libs libcublas.so.13)
# Our binaries see the packed libraries (Debian's libstdc++, protobuf, OpenBLAS, ...) through
# wrappers in $bin; Python (torch, onnx) keeps the machine's own.
libs="$pack/lib:$cudnn_lib:/usr/local/cuda/lib64:$cuda_wheel_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
bin=$pack/wrap
mkdir -p "$bin"
for b in "$pack"/bin/*; do
  printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$libs" "$b" >"$bin/$(basename "$b")"
  chmod +x "$bin/$(basename "$b")"
done
# ONNX's conformance cases: the ones CI runs, packed by pack_for_device.sh (the onnx wheel has
# no node tests).
onnx_data=$pack/onnx-testdata
zoo_models=(resnet18 resnet50 resnet50_unfolded mobilenet_v2 mobilenet_v3_small squeezenet1_1 efficientnet_b0 googlenet densenet121
  transformer_encoder)

# step NAME COMMAND...: runs COMMAND (a program, or a function of this script, which `timeout`
# cannot call directly: it re-enters this script) with the step's time limit.
step() {
  local name=$1
  shift
  echo "== $name: $*"
  local command=("$@") limit=${STEP_TIMEOUT:-240}
  case $name in
    latency) limit=${LATENCY_TIMEOUT:-$limit} ;;
    memcheck) limit=${MEMCHECK_TIMEOUT:-90} ;;
  esac
  if declare -F "$1" >/dev/null; then command=("$self" --run-function "$@"); fi
  timeout --kill-after=10 "$limit" "${command[@]}" >"$out/$name.log" 2>&1
  local rc=$?
  echo "$name rc=$rc" | tee -a "$out/summary.txt"
  tail -4 "$out/$name.log"
}

export_zoo() { python3 scripts/export_zoo.py --out "$zoo" --opsets 17; }
zoo_on() {  # BACKEND: every zoo model against torch (1e-4) and passes off vs on (1e-5)
  local failed=0
  for m in "${zoo_models[@]}"; do
    if tests/run_zoo_case.sh "$bin/fusedinf" "$zoo/${m}_op17" "$out/zoo-$1/$m" "$1"; then
      echo "PASS $m"
    else
      echo "FAIL $m"
      failed=1
    fi
  done
  return $failed
}
# The zoo's .fim files for steps that need them when the zoo step did not run on this machine.
ensure_fims() {
  [ -f "$zoo/transformer_encoder_op17/model.onnx" ] || export_zoo || return 1
  for m in "${zoo_models[@]}"; do
    [ -f "$out/zoo-$backend/$m/model.fim" ] && continue
    mkdir -p "$out/zoo-$backend/$m"
    "$bin/fusedinf" import "$zoo/${m}_op17/model.onnx" -o "$out/zoo-$backend/$m/model.fim" >/dev/null || return 1
  done
}
# What each node of a few zoo models runs (cuDNN algorithm, fused epilogues, cuBLASLt or not),
# and where the time goes (per op and slowest nodes, timed with events node by node).
explain_models() {
  for m in resnet18 resnet50 mobilenet_v2 transformer_encoder; do
    echo "-- $m"
    "$bin/fusedinf" run "$out/zoo-$backend/$m/model.fim" --backend "$backend" --explain --profile 5 \
      --input "$zoo/${m}_op17/input.npy" || return 1
  done
}
# compute-sanitizer on the zoo, the quicker models first (each run is many times slower under
# it). It cannot work on some machines (gVisor: "Device not supported"): that is reported as
# such (rc 3), not as a finding.
memcheck_zoo() {
  local failed=0
  for m in resnet18 mobilenet_v2 resnet50 transformer_encoder squeezenet1_1 googlenet efficientnet_b0 densenet121; do
    echo "-- $m"
    LD_LIBRARY_PATH=$libs compute-sanitizer --tool memcheck --error-exitcode 9 "$pack/bin/fusedinf" run "$out/zoo-cuda/$m/model.fim" \
      --backend cuda --input "$zoo/${m}_op17/input.npy" >"$out/memcheck_$m.tmp" 2>&1
    local rc=$?
    cat "$out/memcheck_$m.tmp"
    if grep -q "Device not supported" "$out/memcheck_$m.tmp"; then
      echo "compute-sanitizer cannot check this machine's GPU: memcheck not run"
      rm -f "$out/memcheck_$m.tmp"
      return 3
    fi
    rm -f "$out/memcheck_$m.tmp"
    [ $rc -eq 0 ] || failed=1
  done
  return $failed
}
# "GPU name, driver version, date" for the result tables.
machine() {
  if [ "$backend" = cpu ]; then
    echo "CPU $(uname -m), $(date +%Y-%m-%d)"
  else
    echo "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1 | sed 's/, / driver /'), $(date +%Y-%m-%d)"
  fi
}
swap() {
  local args=() machine
  machine=$(machine)
  for m in resnet18 mobilenet_v2 squeezenet1_1; do args+=(--model "$out/zoo-$backend/$m/model.fim"); done
  "$bin/swap_bench" "${args[@]}" --backend "$backend" --repeats 5 --markdown "$out/swap_$backend.md" --machine "$machine"
}

if [ "${1:-}" = --run-function ]; then
  shift
  "$@"
  exit
fi

rm -f "$out/summary.txt"
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(info ops zoo conformance latency swap memcheck)
for s in "${steps[@]}"; do
  if [ "$backend" = cpu ] && { [ "$s" = info ] || [ "$s" = memcheck ]; }; then
    echo "== $s: skipped on the CPU rehearsal"
    continue
  fi
  case $s in
    info)
      nvidia-smi >"$out/nvidia-smi.txt" 2>&1
      echo "cuDNN from: ${cudnn_lib:-not found}" >>"$out/nvidia-smi.txt"
      step backends "$bin/fusedinf" backends --require cuda
      ;;
    ops)
      # The CUDA cases, then the conv and matmul ones again with the libraries' epilogues off.
      if [ "$backend" = cpu ]; then filter='BackendOps/*cpu_*'; else filter='BackendOps/*cuda_*:OwnEpilogues/*'; fi
      step backend_ops "$bin/fusedinf_unit_tests" --gtest_filter="$filter"
      ;;
    conformance)
      dirs=("$onnx_data/node" "$onnx_data/pytorch-converted" "$onnx_data/pytorch-operator" "$onnx_data/simple")
      step "conformance_$backend" "$bin/fusedinf" conformance "${dirs[@]}" --backend "$backend" \
        --json "$out/conformance_$backend.json" --jobs "$(nproc)"
      ;;
    zoo)
      step export_zoo export_zoo
      step "zoo_$backend" zoo_on "$backend"
      step explain explain_models
      ;;
    zoo_cpu) step zoo_cpu zoo_on cpu ;;
    memcheck)
      step zoo_fims ensure_fims
      step memcheck memcheck_zoo
      ;;
    swap)
      step zoo_fims ensure_fims
      step swap_bench swap
      ;;
    latency)
      extra=()
      [ "$backend" = cpu ] || extra=(--own-epilogues-too)
      step latency python3 bench/latency_vs_torch.py --fusedinf "$bin/fusedinf" --server "$bin/latency_server" \
        --zoo "$zoo" --device "$backend" --batches 1,8 \
        --models resnet18,resnet50,mobilenet_v2,squeezenet1_1,mobilenet_v3_small,efficientnet_b0,googlenet,densenet121,transformer_encoder \
        --out "$out/latency_$backend.md" --machine "$(machine)" "${extra[@]}" ${LATENCY_OPTS:-}
      ;;
    *) echo "unknown step '$s'" >&2 ;;
  esac
done
for f in "$out"/*.log; do
  [ -e "$f" ] && { echo "==================== $(basename "$f")"; cat "$f"; }
done >"$results/logs.txt"
for f in summary.txt nvidia-smi.txt latency_$backend.md swap_$backend.md conformance_$backend.json; do
  [ -e "$out/$f" ] && cp "$out/$f" "$results/"
done
cat "$out/summary.txt"
