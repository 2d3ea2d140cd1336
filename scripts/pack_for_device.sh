#!/usr/bin/env bash
# Builds what the GPU machine runs and packs it into build-device/fusedinf-device.tar.xz (about
# 15 MB, small enough to carry: the GPU machine has CUDA, PyTorch and onnx but none of our build
# dependencies), holding
#   bin/{fusedinf,fusedinf_unit_tests,swap_bench,latency_server}
#   lib/: the shared libraries they need that the GPU machine lacks (protobuf, onnx_proto,
#   xxhash, OpenBLAS, ...; not libc, not the CUDA libraries: cuDNN there is PyTorch's)
#   onnx-testdata/: the ONNX conformance cases CI runs.
# Then run scripts/device_run.sh there (see ../shared/GPU.md).
#   pack_for_device.sh [CUDA_ARCHS (default 90)]
set -euo pipefail
cd "$(dirname "$0")/.."
archs=${1:-90}
scripts/install_deps.sh
TARGETS="fusedinf fusedinf_unit_tests swap_bench latency_server" scripts/build.sh build-device-obj -DCMAKE_CUDA_ARCHITECTURES="$archs"
stage=build-device-stage
rm -rf build-device "$stage"
mkdir -p build-device "$stage/bin" "$stage/lib" "$stage/onnx-testdata"
for b in fusedinf tests/fusedinf_unit_tests swap_bench latency_server; do
  cp "build-device-obj/$b" "$stage/bin/"
  strip "$stage/bin/$(basename "$b")"
done
# Every shared library the binaries load, except the C runtime and CUDA's own.
ldd "$stage"/bin/* | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so* | libm.so* | libdl.so* | libpthread.so* | librt.so* | libgcc_s.so* | ld-linux*) ;;
    libcuda.so* | libcudart.so* | libcublas*.so* | libcudnn*.so*) ;;
    *) cp -L "$lib" "$stage/lib/" ;;
  esac
done
# ONNX's conformance data as CI runs it (Debian's libonnx-testdata): the onnx wheel on the GPU
# machine ships no node tests.
cp -r /usr/share/libonnx-testdata/data/{node,pytorch-converted,pytorch-operator,simple} "$stage/onnx-testdata/"
# One xz archive (OpenBLAS alone is 36 MB unpacked); device_run.sh unpacks it with Python.
tar -C "$stage" -cJf build-device/fusedinf-device.tar.xz .
rm -rf "$stage"
du -sh build-device
echo "carry build-device (and nothing else); on the GPU machine: scripts/device_run.sh"
