#!/usr/bin/env bash
# Configures and builds fusedinf into build/ (or $1; further arguments go to cmake). Builds the
# CUDA backend when nvcc exists.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH=/usr/local/cuda/bin:$PATH; fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
# TARGETS (environment): build only these targets.
ninja -C "$build_dir" -j"$(nproc)" ${TARGETS:-}
