#!/usr/bin/env bash
# Prints the path of a Python with the oracle packages (onnx, onnxruntime, numpy from PyPI),
# creating the virtual environment on first use: ${FUSEDINF_CACHE:-~/.cache/fusedinf}/venv.
# Kept apart from Debian's python3 (torch, torchvision), which exports the zoo: the wheels' numpy
# must not shadow the one Debian's torch was built against. Versions are pinned so that an
# oracle answer does not change under us.
set -euo pipefail
venv="${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/venv"
wanted="onnx==1.23.2 onnxruntime==1.32.0 numpy==2.3.5"
if [ ! -f "$venv/.ready" ] || [ "$(cat "$venv/.ready")" != "$wanted" ]; then
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv" >&2
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $wanted >&2
  echo "$wanted" > "$venv/.ready"
fi
echo "$venv/bin/python"
