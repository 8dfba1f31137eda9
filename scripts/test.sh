#!/usr/bin/env bash
# make test's three lanes, run at once after gofmt and go vet: every Go test with the race detector, the
# fuzz targets (make fuzz: each for FUZZTIME, as when run alone) and the browser tests against their own
# local cloud (free loopback ports, its own data dir, so nothing is shared with the Go tests' clouds).
# Most of the Go tests' and the browser tests' wall time is waiting (AWS time in the local clouds, SMS
# rates, the browser), so on two cores the lanes overlap instead of queueing; fuzzing is all CPU, so it
# runs niced: it fills the idle cores and yields them to the tests whose waits have deadlines. Each fuzz
# target still runs for FUZZTIME. The Go tests print as they run; the other lanes'
# output is printed whole, one after the other, once every lane has ended. The first failing lane's
# status is the exit status.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

browser() {
	if { command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ]; } && [ -d web/e2e/node_modules/playwright-core ]; then
		bash web/e2e/run-against-localcloud.sh
	elif [ -n "${CI:-}" ]; then
		echo "browser tests cannot run: .ci/run must install chromium and run npm ci in web/e2e"
		return 1
	else
		echo "browser tests skipped: install chromium and run (cd web/e2e && npm ci) to include them"
	fi
}

# lane NAME COMMAND...: runs COMMAND into $logs/NAME, then records its exit status and when it ended.
lane() {
	local name=$1 rc=0
	shift
	"$@" >"$logs/$name" 2>&1 || rc=$?
	echo "$rc $((SECONDS - started))" >"$logs/$name.end"
}

started=$SECONDS
lane fuzz nice -n 10 make --no-print-directory fuzz &
lane browser browser &

# One `go test` for every package: the local cloud's end-to-end package (its tests in parallel, one local
# cloud each) comes late in the list, once most compiling is over, so its wall-clock tests (the SMS
# rate, the config TTL) do not share the cores with the compiler.
go test -trimpath -race -count=1 -timeout 20m ./...
status=$?
echo "go test: exit $status after $((SECONDS - started)) s"

wait
for name in fuzz browser; do
	read -r rc took <"$logs/$name.end"
	echo
	echo "=== $name: exit $rc after $took s"
	cat "$logs/$name"
	if [ "$status" -eq 0 ]; then status=$rc; fi
done
exit "$status"
