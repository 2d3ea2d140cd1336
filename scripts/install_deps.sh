#!/usr/bin/env bash
# Installs what fusedinf needs from Debian's packages, skipping what is already there.
# The CUDA toolkit is not installed here: the CUDA backend is built when nvcc is present.
set -euo pipefail
packages=(
  cmake ninja-build g++ git
  flatbuffers-compiler libflatbuffers-dev          # .fim schema (flatc at build time)
  libonnx-dev libprotobuf-dev protobuf-compiler    # ONNX protobuf definitions, importer only
  libonnx-testdata                                 # ONNX's own backend conformance tests
  libgtest-dev libbenchmark-dev                    # tests and benchmarks
  libxxhash-dev                                    # content hashes of weight buffers
  libopenblas-dev                                  # sgemm for the CPU backend's fast convolutions
  libcli11-dev nlohmann-json3-dev                  # CLI parsing, JSON reports
  python3-torch python3-torchvision python3-numpy  # exporting the test model zoo (Debian's python3)
  python3-venv                                     # the oracle venv (onnx, onnxruntime): scripts/python_env.sh
  clang libclang-rt-14-dev llvm-14                 # fuzzing: clang, libFuzzer + sanitizer runtimes, llvm-symbolizer (scripts/fuzz.sh)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install_deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
