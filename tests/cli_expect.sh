# Sourced by the CLI test scripts: failures counting and the expect_error check.
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
# expect_error TEXT COMMAND...: the command must exit 1 or 2 (not 0, not a crash: >= 128) and print TEXT.
expect_error() {
  local want=$1
  shift
  local out code
  out=$("$@" 2>&1)
  code=$?
  if [ $code -eq 0 ] || [ $code -ge 128 ] || ! grep -qF -- "$want" <<<"$out"; then
    fail "'$*' exited $code, expected an error containing '$want'; got: $out"
  fi
}
