#!/usr/bin/env bash
# The graph fuzzer in CI (scripts/graph_fuzz.py) with the oracle Python of scripts/python_env.sh:
#   run_graph_fuzz.sh SOURCE_DIR FUSEDINF OUT_DIR COUNT
# Fails on any graph whose answer differs from onnxruntime's (failing graphs are in OUT_DIR).
set -euo pipefail
src=$1 fusedinf=$2 out=$3 count=$4
python=$("$src/scripts/python_env.sh")
rm -rf "$out"
exec "$python" "$src/scripts/graph_fuzz.py" --fusedinf "$fusedinf" --count "$count" --seed 1 --out "$out"
