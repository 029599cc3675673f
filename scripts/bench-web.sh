#!/usr/bin/env bash
# Load test of the web application: the Xuchang demo in a fresh SQLite store, served by a release
# build on loopback; wrk with 50 concurrent connections for a bounded time against the overview page
# and the ledger API (logged in as the demo viewer). Target: p95 under 100 ms.
# Usage: scripts/bench-web.sh [SECONDS]   (default 15 s per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian)" >&2
    apt-get install -y wrk >/dev/null
fi
cargo build --release -p danjiang
bin=target/release/danjiang
mkdir -p target/bench-web
db=target/bench-web/xuchang.db
rm -f "$db" "$db-wal" "$db-shm"
port=18080
"$bin" demo --db "sqlite:$db" --listen "127.0.0.1:$port" > target/bench-web/server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 0.5
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "the server did not start; see target/bench-web/server.log" >&2; exit 1; }
cookie=$(curl -s -o /dev/null -D - -H 'Content-Type: application/json' \
    -d '{"username":"viewer","password":"danjiang-viewer"}' \
    "http://127.0.0.1:$port/api/v1/session" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(dj_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "login failed" >&2; exit 1; }
# wrk's latency report gives 50/75/90/99 %; this script adds the 95th percentile.
cat > target/bench-web/p95.lua <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p95 %.2f ms, p99 %.2f ms, %d requests, %d errors (non-2xx %d)\n",
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
LUA
for path in "/" "/api/v1/ledger?by=outlet&period=month" "/api/v1/ledger?by=use&period=all" "/api/v1/overview"; do
    echo "== GET $path  (50 connections, ${seconds} s)"
    wrk -t2 -c50 -d"${seconds}s" --latency -H "Cookie: $cookie" -s target/bench-web/p95.lua \
        "http://127.0.0.1:$port$path" | grep -E "Requests/sec|Latency|50%|90%|99%|p95"
done
