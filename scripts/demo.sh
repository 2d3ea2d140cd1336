#!/usr/bin/env bash
# The main job: installs what is missing, builds, exports a few models with torch, imports
# them into .fim files, runs them with fusedinf and checks each against torch's output.
set -euo pipefail
cd "$(dirname "$0")/.."
device=$(scripts/device.sh)
echo "== device: $device"
[ "$device" = cpu ] || echo "   (the CUDA backend is not implemented yet: running on the CPU backend)"
scripts/install_deps.sh
scripts/build.sh build
zoo="${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo"
models=(resnet18 mobilenet_v2 squeezenet1_1)
/usr/bin/python3 scripts/export_zoo.py --out "$zoo" --models "$(IFS=,; echo "${models[*]}")" --opsets 13
work=build/demo
mkdir -p "$work"
for m in "${models[@]}"; do
  echo "== $m"
  build/fusedinf import "$zoo/${m}_op13/model.onnx" -o "$work/$m.fim" --name "$m"
  start=$(date +%s.%N)
  build/fusedinf run "$work/$m.fim" --input "$zoo/${m}_op13/input.npy" --expect "$zoo/${m}_op13/expected.npy"
  echo "   ran in $(awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $start}") s (load + run, naive reference kernels)"
done
