#!/usr/bin/env bash
# The corpus tests of tests/CMakeLists.txt are exactly scripts/fetch_corpus.py's models.
#   check_corpus_names.sh SOURCE_DIR NAME...
set -euo pipefail
src=$1
shift
want=$(printf '%s\n' "$@")
have=$("$("$src/scripts/python_env.sh")" "$src/scripts/fetch_corpus.py" --out unused --list)
if [ "$want" != "$have" ]; then
  echo "error: tests/CMakeLists.txt's FUSEDINF_CORPUS_MODELS differ from scripts/fetch_corpus.py --list:" >&2
  diff <(echo "$want") <(echo "$have") >&2 || true
  exit 1
fi
echo "$# corpus models, the same in both"
