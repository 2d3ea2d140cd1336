#!/usr/bin/env bash
# The main job: installs what is missing, builds, exports a few models with torch (three
# zoo models and two fine-tunes of resnet18 that share its frozen backbone), imports them,
# fuses them into one group, runs the group against torch's outputs, and prints what fusion
# saved against running the models one after another.
set -euo pipefail
cd "$(dirname "$0")/.."
device=$(scripts/device.sh)
echo "== device: $device"
scripts/install_deps.sh
scripts/build.sh build
zoo="${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo"
models=(resnet18 mobilenet_v2 squeezenet1_1 resnet18_cats resnet18_dogs)
/usr/bin/python3 scripts/export_zoo.py --out "$zoo" --models "$(IFS=,; echo "${models[*]}")" --opsets 13
work=build/demo
mkdir -p "$work"
members=()
expects=()
for m in "${models[@]}"; do
  build/fusedinf import "$zoo/${m}_op13/model.onnx" -o "$work/$m.fim" --name "$m"
  members+=("$work/$m.fim")
  expects+=(--expect "$m/output=$zoo/${m}_op13/expected.npy")
done
echo "== fuse (one camera frame shared by all models)"
build/fusedinf fuse "${members[@]}" --share-input -o "$work/group.fim"
build/fusedinf inspect --plan "$work/group.fim" | grep -E "^(model|arena|weight|members)"
echo "== run the group, each output checked against torch"
build/fusedinf run "$work/group.fim" --input "input=$zoo/resnet18_op13/input.npy" "${expects[@]}"
echo "== separate versus fused (CPU backend: OpenBLAS convolutions, reference kernels otherwise)"
member_args=()
for f in "${members[@]}"; do member_args+=(--member "$f"); done
build/fusion_bench --group "$work/group.fim" "${member_args[@]}" --repeats 3
