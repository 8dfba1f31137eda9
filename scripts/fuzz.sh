#!/usr/bin/env bash
# Runs Go fuzz targets (package:FuzzName), each for FUZZTIME, FUZZ_JOBS at a time (default 2), each with
# -parallel=1 so the jobs together use FUZZ_JOBS workers: the same fuzzing per target as one at a time
# with FUZZ_JOBS workers, in a fraction of the wall time (compiling the instrumented test binaries
# overlaps too). A crash is saved under the package's testdata/fuzz; the first failing target fails the run.
#
# Go 1.26's fuzz coordinator can fail a run with a bare "context deadline exceeded" as -fuzztime ends
# (go.dev/issue/75804, fixed in Go 1.27): that, without a failing input written, is not a finding.
set -uo pipefail

fuzztime=${FUZZTIME:-3s}
jobs=${FUZZ_JOBS:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # index target
  local i=$1 target=$2 pkg name rc=0
  pkg=${target%%:*} name=${target##*:}
  go test -trimpath -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -parallel=1 "$pkg" >"$out/$i.log" 2>&1 || rc=$?
  echo "$rc" >"$out/$i.rc"
}

targets=("$@")
for i in "${!targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run "$i" "${targets[$i]}" &
done
wait

status=0
for i in "${!targets[@]}"; do
  name=${targets[$i]##*:}
  rc=$(cat "$out/$i.rc")
  grep -v '^fuzz: elapsed' "$out/$i.log" | sed "s|^|$name: |"
  if [ "$rc" -ne 0 ]; then
    if grep -q 'Failing input written' "$out/$i.log" || ! grep -q 'context deadline exceeded' "$out/$i.log"; then
      status=$rc
    else
      echo "$name: ignored the fuzztime deadline race of go.dev/issue/75804 (no failing input)"
    fi
  fi
done
exit "$status"
