#!/usr/bin/env bash
# Cold swap-in of zoo models through the model pool, against the link bandwidth measured in
# the same run; appends the table to bench/results/swap_<backend>.md.
#   bench/run_swap_bench.sh [REPEATS] [BACKEND (auto|cpu|cuda)] [extra swap_bench options]
# On the CPU backend pass e.g. "--link-gbps 0.05 --chunk-kib 256" to model a slow link, so
# that copying and computing take comparable time and the pipelining shows.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
backend=${2:-auto}
shift 2 || shift $#
scripts/build.sh build
zoo="${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo"
models=(resnet18 mobilenet_v2 squeezenet1_1)
/usr/bin/python3 scripts/export_zoo.py --out "$zoo" --models "$(IFS=,; echo "${models[*]}")" --opsets 13
work=build/bench
mkdir -p "$work" bench/results
model_args=()
for m in "${models[@]}"; do
  build/fusedinf import "$zoo/${m}_op13/model.onnx" -o "$work/$m.fim" --name "$m" >/dev/null
  model_args+=(--model "$work/$m.fim")
done
name=$(build/fusedinf backends --require cuda >/dev/null 2>&1 && [ "$backend" != cpu ] && echo cuda || echo cpu)
if [ "$name" = cuda ]; then
  machine="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), CUDA backend"
else
  machine="$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, CPU backend (OpenBLAS convolutions, reference kernels otherwise)"
fi
out=bench/results/swap_${name}.md
{
  echo
  echo "## $(date +%Y-%m-%d): ${models[*]} (opset 13, batch 1)"
  echo
  echo "Command: \`bench/run_swap_bench.sh $repeats $backend $*\`"
} >>"$out"
build/swap_bench "${model_args[@]}" --backend "$name" --repeats "$repeats" --markdown "$out" --machine "$machine" "$@"
