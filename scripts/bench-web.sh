#!/usr/bin/env bash
# The web app under load: a release build serves the Xuchang demo (a fresh SQLite store) on
# loopback, and wrk sends 50 concurrent clients for a bounded time to the overview page and to
# the ledger API, logged in as the demo viewer. Prints requests/s and the latency percentiles
# (p50, p95, p99); the acceptance bound is p95 under 100 ms. Then the mixed case: the same
# readers on the overview while WRITERS clients (default 4) post water samples as the demo
# operator (each write marks the overview stale); bounds: reads p95 under 100 ms, writes p95
# under 500 ms, no errors.
# Needs curl; installs wrk (Debian) when missing. DURATION (seconds, default 15), CLIENTS
# (default 50) and WRITERS change the run; DANJIANG_BIN runs a binary already built instead
# of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${DURATION:-15}"
clients="${CLIENTS:-50}"
writers="${WRITERS:-4}"
threads=2
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian)" >&2
    apt-get install -y wrk >/dev/null
fi
command -v curl >/dev/null || { echo "bench-web.sh: curl is missing" >&2; exit 1; }

if [[ -n "${DANJIANG_BIN:-}" ]]; then
    bin="$DANJIANG_BIN"
else
    cargo build --release -p danjiang
    target="${CARGO_TARGET_DIR:-target}"
    bin="$target/release/danjiang"
fi

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

# Logs in through the JSON API; prints the session cookie, then the CSRF token.
log_in() {
    local answer
    answer="$(curl -fsS -D "$work/login.headers" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$base/api/v1/session")"
    tr -d '\r' <"$work/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: \(dj_session=[^;]*\).*/\1/p'
    sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' <<<"$answer"
}
# The viewer reads; wrk sends the session cookie.
cookie="$(log_in viewer danjiang-viewer | sed -n 1p)"
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

# The writers' requests: a TP sample at a random minute of 2000-2018 (before the demo's own
# samples), JSON with the operator's cookie and CSRF token.
cat >"$work/write.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("BENCH_CSRF")
math.randomseed(os.time())
request = function()
  local at = os.date("!%Y-%m-%d %H:%M", 946684800 + math.random(0, 9900000) * 60)
  local body = string.format(
    '{"site":"MS-OUT17","time":"%s","item":"TP","value":"0.0%d","unit":"mg/L"}',
    at, math.random(1, 9))
  return wrk.format(nil, nil, nil, body)
end
LUA
# wrk takes one script: the writers' gets the report's `done` too.
cat "$work/report.lua" >>"$work/write.lua"

# Checks one wrk line against a p95 bound in ms; no errors either.
within() {
    local p95 errors
    p95="$(sed -n 's/.*p95_ms=\([0-9.]*\).*/\1/p' <<<"$1")"
    errors="$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$1")"
    if awk -v p="$p95" -v bound="$2" 'BEGIN { exit !(p >= bound) }' || [[ "$errors" != "0" ]]; then
        echo "  over the bound: p95 must be under $2 ms with no errors" >&2
        return 1
    fi
}

echo "wrk: $clients clients, $threads threads, ${duration}s each, loopback, $(nproc) cores"
status=0
for path in "/" "/api/v1/ledger?by=outlet&period=month" "/api/v1/ledger?by=use&period=all"; do
    # One request first: the answer must be a 200, or the figures would measure an error page.
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$path")"
    [[ "$code" == "200" ]] || { echo "bench-web.sh: $path answered $code" >&2; exit 1; }
    line="$(wrk -t"$threads" -c"$clients" -d"${duration}s" --timeout 10s -H "Cookie: $cookie" \
        -s "$work/report.lua" "$base$path" | grep '^RESULT')"
    echo "$path  ${line#RESULT }"
    within "$line" 100 || status=1
done

# Mixed: readers on the overview while writers post samples, both for the same time.
mapfile -t operator < <(log_in operator danjiang-operator)
[[ -n "${operator[1]:-}" ]] || { echo "bench-web.sh: no operator session" >&2; exit 1; }
echo "mixed: $clients readers of /api/v1/overview, $writers writers of /api/v1/quality/samples"
BENCH_COOKIE="${operator[0]}" BENCH_CSRF="${operator[1]}" \
    wrk -t1 -c"$writers" -d"${duration}s" --timeout 10s -s "$work/write.lua" \
    "$base/api/v1/quality/samples" >"$work/writes.txt" &
writing=$!
reads="$(wrk -t"$threads" -c"$clients" -d"${duration}s" --timeout 10s -H "Cookie: $cookie" \
    -s "$work/report.lua" "$base/api/v1/overview" | grep '^RESULT')"
wait "$writing"
writes="$(grep '^RESULT' "$work/writes.txt" || true)"
echo "  reads   ${reads#RESULT }"
echo "  writes  ${writes#RESULT }"
within "$reads" 100 || status=1
within "$writes" 500 || status=1
exit "$status"
