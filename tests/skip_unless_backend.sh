#!/usr/bin/env bash
# Runs a fusedinf command on a backend, or exits 77 (ctest's "skipped") when that backend is
# not usable here (e.g. cuda on a machine without a GPU).
#   skip_unless_backend.sh BACKEND FUSEDINF ARGS...
set -euo pipefail
backend=$1 fusedinf=$2
shift 2
if ! "$fusedinf" backends --require "$backend"; then
  echo "no usable $backend backend here: skipped"
  exit 77
fi
exec "$fusedinf" "$@"
