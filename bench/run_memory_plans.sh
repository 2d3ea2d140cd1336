#!/usr/bin/env bash
# The memory plan of every zoo model (default passes): arena, lower bound and separate
# allocation, from `fusedinf inspect --plan --json`; writes bench/results/memory_plan_cpu.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh build >/dev/null
zoo="${FUSEDINF_CACHE:-$HOME/.cache/fusedinf}/zoo"
/usr/bin/python3 scripts/export_zoo.py --out "$zoo" >/dev/null
work=build/memory_plans
mkdir -p "$work"
out=bench/results/memory_plan_cpu.md
{
  echo "# Memory plans of the zoo models (CPU build, default passes)"
  echo
  echo "Produced by \`bench/run_memory_plans.sh\` (\`fusedinf inspect --plan --json\` on each zoo model,"
  echo "\`scripts/export_zoo.py\`, batch 1), $(date +%Y-%m-%d), on $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "($(nproc) cores). Arena: the one activation arena of the plan (kernel workspace included);"
  echo "lower bound: the largest sum of live buffer bytes at any step (no plan can be smaller);"
  echo "separate: every activation allocated on its own (64-byte aligned)."
  echo
  echo "| model | nodes | arena bytes | lower bound | arena / lower bound | separate bytes | arena / separate |"
  echo "|---|---|---|---|---|---|---|"
  for dir in "$zoo"/*_op13 "$zoo"/*_op17; do
    m=$(basename "$dir")
    build/fusedinf import "$dir/model.onnx" -o "$work/$m.fim" >/dev/null
    build/fusedinf inspect "$work/$m.fim" --plan --json | python3 -c "
import json, sys
j = json.load(sys.stdin)
p = j['plan']
print('| $m | %d | %d | %d | %.3f | %d | %.3f |' % (j['nodes'], p['arena_bytes'], p['lower_bound_bytes'],
      p['arena_to_lower_bound'], p['separate_bytes'], p['arena_bytes'] / p['separate_bytes']))"
  done
} >"$out"
cat "$out"
