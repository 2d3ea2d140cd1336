#!/usr/bin/env bash
# Runs ON the GPU machine, from the repository root, after scripts/pack_for_device.sh was run
# on the build machine and build-device/ was carried over (../shared/GPU.md). Each step
# writes its log under $OUT (default device-out/) and one line "STEP rc=N" to summary.txt;
# a failing step does not stop the others, and each is cut off after $STEP_TIMEOUT seconds
# (default 240) so that one slow step cannot use up the session's device time.
#   device_run.sh [STEP...]   steps: info ops zoo conformance latency swap memcheck (default:
#   all, in this order: the quick checks first, the slow memcheck last); zoo_cpu is extra.
# Untested so far: no GPU has been available to the sessions that wrote it.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-device-out}
mkdir -p "$out"
bin=$PWD/build-device/bin
cudnn_lib=$(python3 -c "import nvidia.cudnn, os; print(os.path.join(os.path.dirname(nvidia.cudnn.__file__), 'lib'))")
export LD_LIBRARY_PATH="$PWD/build-device/lib:$cudnn_lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
onnx_data=$(python3 -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend', 'test', 'data'))")
zoo_models=(resnet18 resnet50 resnet50_unfolded mobilenet_v2 mobilenet_v3_small squeezenet1_1 efficientnet_b0 googlenet densenet121
  transformer_encoder)

step() {
  local name=$1
  shift
  echo "== $name: $*"
  timeout --kill-after=10 "${STEP_TIMEOUT:-240}" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  echo "$name rc=$rc" | tee -a "$out/summary.txt"
  tail -4 "$out/$name.log"
}

export_zoo() { python3 scripts/export_zoo.py --out "$out/zoo" --opsets 17; }
zoo_on() {  # BACKEND: every zoo model against torch (1e-4) and passes off vs on (1e-5)
  local failed=0
  for m in "${zoo_models[@]}"; do
    if tests/run_zoo_case.sh "$bin/fusedinf" "$out/zoo/${m}_op17" "$out/zoo-$1/$m" "$1"; then
      echo "PASS $m"
    else
      echo "FAIL $m"
      failed=1
    fi
  done
  return $failed
}
memcheck_zoo() {
  local failed=0
  for m in "${zoo_models[@]}"; do
    compute-sanitizer --tool memcheck --error-exitcode 9 "$bin/fusedinf" run "$out/zoo-cuda/$m/model.fim" \
      --backend cuda --input "$out/zoo/${m}_op17/input.npy" || failed=1
  done
  return $failed
}
swap() {
  local args=()
  for m in resnet18 mobilenet_v2 squeezenet1_1; do args+=(--model "$out/zoo-cuda/$m/model.fim"); done
  "$bin/swap_bench" "${args[@]}" --backend cuda --repeats 5 --markdown "$out/swap_cuda.md" \
    --machine "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date +%Y-%m-%d)"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(info ops zoo conformance latency swap memcheck)
for s in "${steps[@]}"; do
  case $s in
    info)
      nvidia-smi >"$out/nvidia-smi.txt" 2>&1
      step backends "$bin/fusedinf" backends --require cuda
      ;;
    ops) step backend_ops "$bin/fusedinf_unit_tests" --gtest_filter='BackendOps/*cuda_*' ;;
    conformance)
      dirs=("$onnx_data/node" "$onnx_data/pytorch-converted" "$onnx_data/pytorch-operator" "$onnx_data/simple")
      step conformance_cuda "$bin/fusedinf" conformance "${dirs[@]}" --backend cuda --json "$out/conformance_cuda.json" \
        --jobs "$(nproc)"
      ;;
    zoo)
      step export_zoo export_zoo
      step zoo_cuda zoo_on cuda
      ;;
    zoo_cpu) step zoo_cpu zoo_on cpu ;;
    memcheck) step memcheck memcheck_zoo ;;
    swap) step swap_bench swap ;;
    latency)
      step latency python3 bench/latency_vs_torch.py --fusedinf "$bin/fusedinf" --server "$bin/latency_server" \
        --zoo "$out/zoo" --device cuda --models resnet18,resnet50,mobilenet_v2 --batches 1,8 --out "$out/latency_cuda.md"
      ;;
    *) echo "unknown step '$s'" >&2 ;;
  esac
done
cat "$out/summary.txt"
