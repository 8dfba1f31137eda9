#!/usr/bin/env bash
# Runs the browser suite (node --test web/e2e/*.test.mjs) against a fresh local cloud on free loopback
# ports, then stops it. Used by `make test-browser`; needs chromium (/usr/bin/chromium or $CHROMIUM_PATH)
# and `npm ci` in web/e2e.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

work="$(mktemp -d)"
cloud_pid=""
cleanup() {
	status=$?
	if [[ -n "$cloud_pid" ]] && kill -0 "$cloud_pid" 2>/dev/null; then
		kill -TERM "$cloud_pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$cloud_pid" 2>/dev/null || break
			sleep 0.2
		done
		# The local cloud leads its own process group (setsid): nothing it started may outlive it.
		kill -KILL -- "-$cloud_pid" 2>/dev/null || true
	fi
	if [[ $status -ne 0 && -f "$work/localcloud.log" ]]; then
		echo "--- local cloud log (last 60 lines) ---" >&2
		tail -n 60 "$work/localcloud.log" >&2 || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT INT TERM

free_port() {
	node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

if [[ ! -d web/e2e/node_modules/playwright-core ]]; then
	echo "web/e2e/node_modules is missing: run (cd web/e2e && npm ci)" >&2
	exit 1
fi

api="127.0.0.1:$(free_port)"
services="127.0.0.1:$(free_port)"

# A built binary, not `go run`, so the pid we signal is the local cloud itself.
go build -trimpath -o "$work/localcloud" ./localcloud
setsid "$work/localcloud" -root "$root" -api "$api" -services "$services" -data "$work/data" -reset -quiet \
	>"$work/localcloud.log" 2>&1 &
cloud_pid=$!

url="http://$api"
deadline=$((SECONDS + ${CALLTAXI_START_TIMEOUT:-600}))
until curl -fsS "$url/_local/health" >/dev/null 2>&1; do
	if ! kill -0 "$cloud_pid" 2>/dev/null; then
		echo "the local cloud exited before it was healthy" >&2
		exit 1
	fi
	if ((SECONDS > deadline)); then
		echo "the local cloud was not healthy within ${CALLTAXI_START_TIMEOUT:-600}s" >&2
		exit 1
	fi
	sleep 0.2
done
echo "local cloud up at $url"

CALLTAXI_URL="$url" node --test --test-concurrency=1 web/e2e/*.test.mjs
