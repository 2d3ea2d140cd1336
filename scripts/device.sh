#!/usr/bin/env bash
# Prints which device the scripts will use: the GPU when one is usable, else the CPU.
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu: $(nvidia-smi -L | head -1)"
else
  echo "cpu"
fi
