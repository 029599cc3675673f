#!/usr/bin/env bash
# Telemetry ingestion through the batch API: a release build serves a fresh store on loopback
# (a temporary SQLite file, then PostgreSQL too when DANJIANG_TEST_POSTGRES_URL names a server:
# scripts/postgres.sh starts one), the CLI registers TAGS tags (default 100) and makes an
# ingestion token, and CLIENTS connections (default 2) POST BATCHES batches (default 60) of
# POINTS points each (default 10,000; tall CSV, or JSON with FORMAT=json) to
# /api/v1/telemetry/points. Prints points/s per store; the acceptance bound is 100,000 points/s.
# Each batch is new points (no duplicates); the count of stored points is checked at the end.
# DANJIANG_BIN runs a binary already built instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."

tags="${TAGS:-100}"
batches="${BATCHES:-60}"
points="${POINTS:-10000}"
clients="${CLIENTS:-2}"
format="${FORMAT:-csv}"
command -v curl >/dev/null || { echo "bench-ingest.sh: curl is missing" >&2; exit 1; }

if [[ -n "${DANJIANG_BIN:-}" ]]; then
    bin="$DANJIANG_BIN"
else
    cargo build --release -p danjiang
    bin="${CARGO_TARGET_DIR:-target}/release/danjiang"
fi

work="$(mktemp -d)"
server=""
stop_server() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    server=""
}
cleanup() { stop_server; [[ -n "${KEEP:-}" ]] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

{
    echo "code,name,quantity,unit,interval_s"
    for i in $(seq 1 "$tags"); do echo "BENCH.$i,Bench tag $i,flow,m3/s,60"; done
} >"$work/tags.csv"

# Benchmarks one store: registers the tags, makes a token, serves, posts, checks the count.
bench() {
    local name="$1" url="$2"
    "$bin" import tags "$work/tags.csv" --db "$url" >/dev/null
    local token
    token="$("$bin" telemetry token create bench --db "$url" 2>/dev/null)"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "$bin" serve --db "$url" --listen "127.0.0.1:$port" --ingest-batches-per-minute 100000 \
        >"$work/serve-$name.log" 2>&1 &
    server=$!
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
        if ! kill -0 "$server" 2>/dev/null; then cat "$work/serve-$name.log" >&2; exit 1; fi
        sleep 0.2
    done
    python3 - "$name" "$port" "$token" "$tags" "$batches" "$points" "$clients" "$format" <<'PY'
import http.client, json, sys, threading, time
name, port, token, tags, batches, points, clients, form = sys.argv[1:]
port, tags, batches, points, clients = map(int, (port, tags, batches, points, clients))
minutes = points // tags
start = 1_735_689_600  # 2025-01-01 00:00, station time as the server reads plain times

def clock(seconds):
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(seconds))

def body(batch):
    rows = []
    for m in range(minutes):
        at = clock(start + (batch * minutes + m) * 60)
        for t in range(1, tags + 1):
            rows.append((f"BENCH.{t}", at, 3.0 + ((batch * 31 + m * 7 + t) % 100) / 50.0))
    if form == "json":
        points = [{"tag": g, "time": a, "value": v} for g, a, v in rows]
        return "application/json", json.dumps({"points": points}).encode()
    text = "tag,time,value\n" + "".join(f"{g},{a},{v}\n" for g, a, v in rows)
    return "text/csv", text.encode()

bodies = [body(b) for b in range(batches)]
sent = [0]
errors = []
lock = threading.Lock()

def client(index):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for b in range(index, batches, clients):
        kind, data = bodies[b]
        connection.request("POST", "/api/v1/telemetry/points", data,
                           {"Authorization": f"Bearer {token}", "Content-Type": kind})
        answer = connection.getresponse()
        text = answer.read()
        with lock:
            if answer.status != 200:
                errors.append(f"{answer.status} {text[:300]!r}")
            else:
                sent[0] += json.loads(text)["accepted"]

began = time.perf_counter()
threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - began
if errors:
    print(f"{name}: {len(errors)} batch(es) failed, first: {errors[0]}", file=sys.stderr)
    sys.exit(1)
expected = batches * minutes * tags
if sent[0] != expected:
    print(f"{name}: {sent[0]} points accepted, expected {expected}", file=sys.stderr)
    sys.exit(1)
print(f"{name}: {sent[0]:,} points in {batches} batches of {minutes * tags:,} ({form}, "
      f"{clients} clients) in {elapsed:.2f} s: {sent[0] / elapsed:,.0f} points/s")
PY
    stop_server
}

bench sqlite "sqlite:$work/bench.db"
if [[ -n "${DANJIANG_TEST_POSTGRES_URL:-}" ]]; then
    base="${DANJIANG_TEST_POSTGRES_URL%/*}"
    database="danjiang_bench_$$"
    psql "$DANJIANG_TEST_POSTGRES_URL" -qc "CREATE DATABASE $database" >/dev/null
    bench postgresql "$base/$database"
    psql "$DANJIANG_TEST_POSTGRES_URL" -qc "DROP DATABASE $database" >/dev/null || true
fi
