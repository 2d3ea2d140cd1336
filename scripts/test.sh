#!/usr/bin/env bash
# Installs what is missing, builds, exports the test model zoo, fetches the corpus of pretrained
# models and generates ONNX 1.23.2's node cases (all cached), and runs every test:
# unit tests, ONNX conformance and the zoo on the release build, on the CPU and, when a GPU is
# usable, on the CUDA backend too (without one, the CUDA tests report "skipped"); then the unit
# tests (format and importer robustness included) under AddressSanitizer +
# UndefinedBehaviorSanitizer (with LeakSanitizer), every fuzz target for a bounded time
# (scripts/fuzz.sh), and the model pool's and the CPU backend's queue tests under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
echo "== device: $(scripts/device.sh)"
scripts/install_deps.sh
echo "== build (release)"
scripts/build.sh build
echo "== export the model zoo (cached in ${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo)"
/usr/bin/python3 scripts/export_zoo.py --out "${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo"
echo "== fetch the corpus of pretrained models and generate ONNX 1.23.2's node cases (cached there too)"
oracle_python=$(scripts/python_env.sh)
"$oracle_python" scripts/fetch_corpus.py --out "${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/corpus"
"$oracle_python" scripts/gen_onnx_node_tests.py --out "${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/onnx-node-tests-1.23.2"
echo "== tests (release)"
ctest --test-dir build --output-on-failure -j"$jobs"
echo "== unit tests under ASan + UBSan"
TARGETS=fusedinf_unit_tests scripts/build.sh build-asan -DFUSEDINF_SANITIZE=ON -DFUSEDINF_CUDA=OFF -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build-asan/tests/fusedinf_unit_tests
echo "== fuzzing: every target ${FUZZ_SECONDS:-45} s (clang, libFuzzer, ASan + UBSan; scripts/fuzz.sh runs longer)"
scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
echo "== model pool tests under ThreadSanitizer"
TARGETS=fusedinf_unit_tests scripts/build.sh build-tsan -DFUSEDINF_TSAN=ON -DFUSEDINF_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/fusedinf_unit_tests --gtest_filter='ModelPool*:CpuBackend*'

echo "== all tests passed"
