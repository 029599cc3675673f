#!/usr/bin/env bash
# The web app under load: a release build serves the Xuchang demo (a fresh SQLite store) on
# loopback, and wrk sends 50 concurrent clients for a bounded time to the overview page and to
# the ledger API, logged in as the demo viewer. Prints requests/s and the latency percentiles
# (p50, p95, p99); the acceptance bound is p95 under 100 ms.
# Needs curl; installs wrk (Debian) when missing. DURATION (seconds, default 15) and CLIENTS
# (default 50) change the run.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${DURATION:-15}"
clients="${CLIENTS:-50}"
threads=2
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian)" >&2
    apt-get install -y wrk >/dev/null
fi
command -v curl >/dev/null || { echo "bench-web.sh: curl is missing" >&2; exit 1; }

cargo build --release -p danjiang
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/danjiang"

work="$(mktemp -d)"
server=""
cleanup() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
# Results of simulation runs go under the scratch folder, not the working tree.
DANJIANG_DATA_DIR="$work/data" "$bin" demo --db "sqlite:$work/bench.db" --listen "127.0.0.1:$port" \
    >"$work/demo.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
    if curl -fsS "$base/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$work/demo.log" >&2; exit 1; fi
    sleep 0.5
done
curl -fsS "$base/health" >/dev/null

# Log in as the viewer through the JSON API; wrk sends the session cookie.
cookie="$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"username":"viewer","password":"danjiang-viewer"}' "$base/api/v1/session" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(dj_session=[^;]*\).*/\1/p')"
[[ -n "$cookie" ]] || { echo "bench-web.sh: no session cookie from the login" >&2; exit 1; }

cat >"$work/report.lua" <<'LUA'
-- Prints one line: requests/s, errors and the latency percentiles in milliseconds.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT requests=%d rps=%.0f errors=%d p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, summary.requests / seconds, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

echo "wrk: $clients clients, $threads threads, ${duration}s each, loopback, $(nproc) cores"
status=0
for path in "/" "/api/v1/ledger?by=outlet&period=month" "/api/v1/ledger?by=use&period=all"; do
    # One request first: the answer must be a 200, or the figures would measure an error page.
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$path")"
    [[ "$code" == "200" ]] || { echo "bench-web.sh: $path answered $code" >&2; exit 1; }
    line="$(wrk -t"$threads" -c"$clients" -d"${duration}s" --timeout 10s -H "Cookie: $cookie" \
        -s "$work/report.lua" "$base$path" | grep '^RESULT')"
    echo "$path  ${line#RESULT }"
    p95="$(sed -n 's/.*p95_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
    errors="$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$line")"
    if awk -v p="$p95" 'BEGIN { exit !(p >= 100) }' || [[ "$errors" != "0" ]]; then
        echo "  over the bound: p95 must be under 100 ms with no errors" >&2
        status=1
    fi
done
exit "$status"
