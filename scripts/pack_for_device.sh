#!/usr/bin/env bash
# Builds what the GPU machine runs and packs it into build-device/ (small enough to carry: the
# GPU machine has CUDA, PyTorch and onnx but none of our build dependencies):
#   build-device/bin/{fusedinf,fusedinf_unit_tests,swap_bench,latency_server}
#   build-device/lib/: the shared libraries they need that the GPU machine lacks (protobuf,
#   onnx_proto, xxhash, ...; not libc, not the CUDA libraries: cuDNN there is PyTorch's).
# Then run scripts/device_run.sh there (see ../shared/GPU.md).
#   pack_for_device.sh [CUDA_ARCHS (default 90)]
set -euo pipefail
cd "$(dirname "$0")/.."
archs=${1:-90}
scripts/install_deps.sh
TARGETS="fusedinf fusedinf_unit_tests swap_bench latency_server" scripts/build.sh build-device-obj -DCMAKE_CUDA_ARCHITECTURES="$archs"
rm -rf build-device
mkdir -p build-device/bin build-device/lib
for b in fusedinf tests/fusedinf_unit_tests swap_bench latency_server; do
  cp "build-device-obj/$b" build-device/bin/
  strip build-device/bin/"$(basename "$b")"
done
# Every shared library the binaries load, except the C runtime and CUDA's own.
ldd build-device/bin/* | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so* | libm.so* | libdl.so* | libpthread.so* | librt.so* | libgcc_s.so* | ld-linux*) ;;
    libcuda.so* | libcudart.so* | libcublas*.so* | libcudnn*.so*) ;;
    *) cp -L "$lib" build-device/lib/ ;;
  esac
done
du -sh build-device
echo "carry build-device (and nothing else); on the GPU machine: scripts/device_run.sh"
