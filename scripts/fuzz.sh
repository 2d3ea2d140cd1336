#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + ASan + UBSan, clang): builds the fuzz targets of
# tests/fuzz into build-fuzz/ (FUZZ_BUILD_DIR), makes their seed corpora from ONNX's node test
# models, replays tests/fuzz/regressions, then runs every target for SECONDS each (default 45;
# FUZZ_TARGETS: a subset; FUZZ_CCACHE=0: no ccache). Fails on any finding; its input is kept in
# build-fuzz/findings/<target>/ (fix it, then add it to tests/fuzz/regressions/<target>/).
# Summary lines (executions, cov, ft per target) go to build-fuzz/fuzz_summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=${FUZZ_TARGETS:-fim_run onnx_import npy tensor_pb group_pool}
node_tests=/usr/share/libonnx-testdata/data/node
launcher=()
[ "${FUZZ_CCACHE:-1}" = 1 ] && command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
echo "== fuzz: build ($build)"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUSEDINF_FUZZ=ON \
  -DFUSEDINF_CUDA=OFF "${launcher[@]}" >/dev/null
ninja -C "$build" -j"$(nproc)" fuzz_targets
seeds=$build/fuzz_seeds
if [ ! -f "$seeds/.done" ]; then
  echo "== fuzz: seed corpora from $node_tests"
  rm -rf "$seeds"
  ASAN_OPTIONS=detect_leaks=0 "$build/tests/fuzz/fuzz_make_corpus" "$seeds" "$node_tests"
  touch "$seeds/.done"
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
summary=$build/fuzz_summary.txt
: >"$summary"
failed=0
for t in $targets; do
  bin=$build/tests/fuzz/fuzz_$t
  regressions=tests/fuzz/regressions/$t
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    echo "== fuzz: $t: replay $regressions"
    "$bin" $(find "$regressions" -type f ! -name 'README*') >"$build/fuzz_$t.replay.log" 2>&1 ||
      { tail -40 "$build/fuzz_$t.replay.log"; failed=1; continue; }
  fi
  work=$build/fuzz_corpus/$t
  findings=$build/findings/$t
  mkdir -p "$work" "$findings"
  extra_seeds=()
  [ "$t" = group_pool ] && extra_seeds=("$seeds/fim_run")
  echo "== fuzz: $t for ${seconds}s"
  log=$build/fuzz_$t.log
  if "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="$findings/" "$work" "$seeds/$t" "${extra_seeds[@]}" >"$log" 2>&1; then
    status=ok
  else
    status=FINDING
    failed=1
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -20 || true
    tail -60 "$log"
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  echo "$t: $status, ${seconds}s, $execs executions, ${cov:-no coverage line}, corpus $(ls "$work" | wc -l) files" |
    tee -a "$summary"
done
[ "$failed" -eq 0 ] || { echo "fuzz: FINDINGS (inputs in $build/findings/)"; exit 1; }
echo "== fuzz: no findings"
