#!/usr/bin/env bash
# The ledger at scale (not part of the test suite): 5-minute readings of 50 meters over 10 years
# (about 52.6 million rows) are generated, imported one file per meter (one transaction each,
# multi-row prepared inserts) and turned into the yearly ledger, on SQLite and on PostgreSQL.
# Prints wall time and peak memory (max RSS of the danjiang process) per backend and step.
#
#   scripts/bench-ledger.sh [METERS] [YEARS]      # defaults 50 10; e.g. `2 1` for a quick look
#
# Needs: cargo, /usr/bin/time (Debian's `time`), scripts/postgres.sh for the PostgreSQL half
# (set BENCH_BACKENDS=sqlite to skip it). Uses the library directly (examples bench_readings and
# bench_ledger of danjiang-ops), the same code path as `danjiang import` and `danjiang ledger`.
set -euo pipefail
cd "$(dirname "$0")/.."
meters="${1:-50}"
years="${2:-10}"
backends="${BENCH_BACKENDS:-sqlite postgres}"
target="${CARGO_TARGET_DIR:-target}"
work="${BENCH_DIR:-$target/bench-ledger}"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release -q -p danjiang-ops --example bench_readings --example bench_ledger
examples="$target/release/examples"

if [[ ! -f "$work/.done-$meters-$years" ]]; then
    rm -rf "$work" && mkdir -p "$work"
    echo "generating $meters meters x $years years of 5-minute readings in $work"
    /usr/bin/time -f "  generated in %e s, peak %M KiB" "$examples/bench_readings" "$work" "$meters" "$years" 2>&1 | grep -v readings
    touch "$work/.done-$meters-$years"
fi

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
    /usr/bin/time -f "$backend: whole run %e s, peak memory %M KiB" "$examples/bench_ledger" "$url" "$work" 2> >(grep -v '^  ' >&2)
done
