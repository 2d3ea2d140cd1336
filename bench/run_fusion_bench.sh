#!/usr/bin/env bash
# Separate versus fused on this machine's CPU: builds, exports and imports the demo models
# (three zoo models and two fine-tunes of resnet18), fuses them with a shared input, and
# appends the interleaved comparison (median of N runs) to bench/results/fusion_cpu.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-5}
scripts/build.sh build
zoo="${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo"
models=(resnet18 mobilenet_v2 squeezenet1_1 resnet18_cats resnet18_dogs)
/usr/bin/python3 scripts/export_zoo.py --out "$zoo" --models "$(IFS=,; echo "${models[*]}")" --opsets 13
work=build/bench
mkdir -p "$work" bench/results
member_args=()
files=()
for m in "${models[@]}"; do
  build/fusedinf import "$zoo/${m}_op13/model.onnx" -o "$work/$m.fim" --name "$m" >/dev/null
  member_args+=(--member "$work/$m.fim")
  files+=("$work/$m.fim")
done
build/fusedinf fuse "${files[@]}" --share-input -o "$work/group.fim"
machine="$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, CPU backend (OpenBLAS convolutions and GEMMs, fast pooling and elementwise kernels)"
out=bench/results/fusion_cpu.md
{
  echo
  echo "## $(date +%Y-%m-%d): ${models[*]} (opset 13, batch 1, shared input)"
  echo
  echo "Command: \`bench/run_fusion_bench.sh $repeats\`"
} >>"$out"
build/fusion_bench --group "$work/group.fim" "${member_args[@]}" --repeats "$repeats" --markdown "$out" \
  --machine "$machine"
