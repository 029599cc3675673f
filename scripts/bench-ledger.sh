#!/usr/bin/env bash
# The ledger at scale (not part of the test suite): 5-minute readings of 50 meters over 10 years
# (about 52.6 million rows) are generated, imported one file per meter (one transaction each,
# multi-row prepared inserts) and turned into the yearly ledger, on SQLite and on PostgreSQL.
# Prints wall time and peak memory (max RSS of the danjiang process) per backend and step.
#
#   scripts/bench-ledger.sh [METERS] [YEARS]      # defaults 50 10; e.g. `2 1` for a quick look
#
# Needs: cargo, /usr/bin/time (Debian's `time`), scripts/postgres.sh for the PostgreSQL half
# (set BENCH_BACKENDS=sqlite to skip it).
set -euo pipefail
cd "$(dirname "$0")/.."
meters="${1:-50}"
years="${2:-10}"
backends="${BENCH_BACKENDS:-sqlite postgres}"
target="${CARGO_TARGET_DIR:-target}"
work="${BENCH_DIR:-$target/bench-ledger}"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release -q -p danjiang -p danjiang-ops --example bench_readings
bin="$target/release/danjiang"

if [[ ! -f "$work/.done-$meters-$years" ]]; then
    rm -rf "$work" && mkdir -p "$work"
    echo "generating $meters meters x $years years of 5-minute readings in $work"
    /usr/bin/time -f "  generated in %e s, peak %M KiB" "$target/release/examples/bench_readings" "$work" "$meters" "$years" 2>&1 | grep -v readings
    touch "$work/.done-$meters-$years"
fi

measure() { # label, command...: runs it, prints seconds and peak KiB, adds to the totals
    local label="$1"; shift
    local out; out="$(mktemp)"
    /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null
    read -r seconds kib <"$out"; rm -f "$out"
    total_seconds=$(awk -v a="$total_seconds" -v b="$seconds" 'BEGIN { print a + b }')
    (( kib > peak_kib )) && peak_kib=$kib
    printf '  %-28s %9.1f s  %8d KiB\n' "$label" "$seconds" "$kib"
}

for backend in $backends; do
    case "$backend" in
        sqlite) rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"; url="sqlite:$work/bench.db" ;;
        postgres)
            base="$(scripts/postgres.sh)"
            psql "${base%/*}/postgres" -qc "DROP DATABASE IF EXISTS danjiang_bench" -c "CREATE DATABASE danjiang_bench"
            url="${base%/*}/danjiang_bench" ;;
        *) echo "unknown backend $backend"; exit 2 ;;
    esac
    echo "== $backend ($url)"
    total_seconds=0; peak_kib=0
    for kind in counties assets meters uses; do
        "$bin" import "$kind" "$work/$kind.csv" --db "$url" >/dev/null
    done
    import_seconds_before=$total_seconds
    for file in "$work"/readings/*.csv; do
        measure "import $(basename "$file")" "$bin" import readings "$file" --db "$url"
    done
    import_seconds=$(awk -v a="$total_seconds" -v b="$import_seconds_before" 'BEGIN { print a - b }')
    measure "ledger --by plant --period year" "$bin" ledger --by plant --period year --db "$url"
    measure "ledger --by use --period year" "$bin" ledger --by use --period year --db "$url"
    "$bin" ledger --by use --period year --db "$url"
    rows=$(( meters * years * 365 * 288 ))
    printf '%s: %d readings imported in %.0f s (%.0f rows/s); all steps %.0f s; peak memory %d MiB\n' \
        "$backend" "$rows" "$import_seconds" "$(awk -v r="$rows" -v s="$import_seconds" 'BEGIN { print r / s }')" \
        "$total_seconds" $(( peak_kib / 1024 ))
done
