#!/usr/bin/env bash
# Times EPANET 2.3.5 (runepanet) against `danjiang run` on the same networks, one run after
# another, and prints a Markdown table for BENCHMARKS.md.
#
#   scripts/bench.sh [-n RUNS] [NETWORK ...]
#
# NETWORK is a name in tests/networks/public or tests/networks/features, a path to an .inp
# file, or gen-SIZE (e.g. gen-10k, gen-100k, gen-1m, gen-2500): a network made by
# `danjiang generate --nodes SIZE --seed 1 --layout mixed` into target/bench-networks/.
# Without networks: the five public networks EPANET takes longest on, then gen-10k and gen-100k.
# Each program runs RUNS times (default 5, at least 5) per network; the table gives the median
# wall time, the ratio danjiang/EPANET and the peak resident memory (from /usr/bin/time -v).
#
# EPANET comes from scripts/reference.sh (owa-epanet in .venv). danjiang is
# $DANJIANG, else target/release/danjiang (built here if missing); if it has no `run`
# subcommand yet, its columns say so and EPANET is still timed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=5
DEFAULT_NETWORKS=(net6 biws_e-town micropolis_v1 nj1 l-town gen-10k gen-100k)

fail() {
    echo "bench.sh: $*" >&2
    exit 1
}

while getopts "n:h" option; do
    case "$option" in
        n) RUNS="$OPTARG" ;;
        h) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) fail "usage: scripts/bench.sh [-n RUNS] [NETWORK ...]" ;;
    esac
done
shift $((OPTIND - 1))
[[ "$RUNS" =~ ^[0-9]+$ ]] && ((RUNS >= 5)) || fail "-n must be a whole number of at least 5"
NETWORKS=("$@")
((${#NETWORKS[@]} > 0)) || NETWORKS=("${DEFAULT_NETWORKS[@]}")

# /usr/bin/time (GNU time) measures peak memory; install it on a fresh Debian machine.
if [[ ! -x /usr/bin/time ]]; then
    if command -v apt-get >/dev/null; then
        { apt-get update -qq && apt-get install -y -qq time; } >/dev/null 2>&1 \
            || fail "GNU time is missing and apt-get could not install it"
    else
        fail "GNU time (/usr/bin/time) is needed"
    fi
fi

eval "$("$ROOT/scripts/reference.sh" --env)"
[[ -n "${RUNEPANET:-}" ]] || fail "scripts/reference.sh --env gave no runepanet"

DANJIANG="${DANJIANG:-$ROOT/target/release/danjiang}"
if [[ ! -x "$DANJIANG" && "$DANJIANG" == "$ROOT/target/release/danjiang" ]]; then
    echo "building target/release/danjiang ..." >&2
    (cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target" cargo build --release --quiet -p danjiang) \
        || fail "cargo could not build danjiang"
fi
HAVE_RUN=0
if [[ -x "$DANJIANG" ]] && "$DANJIANG" run --help >/dev/null 2>&1; then
    HAVE_RUN=1
else
    echo "bench.sh: $DANJIANG has no 'run' subcommand yet: timing EPANET only" >&2
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
GENERATED="$ROOT/target/bench-networks"

# The .inp file for a network argument (generating gen-SIZE networks when needed).
resolve() {
    local arg="$1"
    if [[ "$arg" =~ ^gen-([0-9]+)([kKmM]?)$ ]]; then
        local size="${BASH_REMATCH[1]}" unit="${BASH_REMATCH[2]}"
        case "$unit" in
            k | K) size=$((size * 1000)) ;;
            m | M) size=$((size * 1000000)) ;;
        esac
        local file="$GENERATED/$arg.inp"
        if [[ ! -f "$file" ]]; then
            [[ -x "$DANJIANG" ]] || fail "cannot make $arg: no danjiang binary at $DANJIANG"
            mkdir -p "$GENERATED"
            "$DANJIANG" generate --nodes "$size" --seed 1 --layout mixed -o "$file" 2>/dev/null \
                || fail "danjiang generate could not make $arg"
        fi
        echo "$file"
    elif [[ -f "$arg" ]]; then
        echo "$arg"
    elif [[ -f "$ROOT/tests/networks/public/${arg%.inp}.inp" ]]; then
        echo "$ROOT/tests/networks/public/${arg%.inp}.inp"
    elif [[ -f "$ROOT/tests/networks/features/${arg%.inp}.inp" ]]; then
        echo "$ROOT/tests/networks/features/${arg%.inp}.inp"
    else
        fail "no network '$arg'"
    fi
}

# Node and link counts of an .inp file, as "nodes links".
count_elements() {
    awk '
        { sub(/\r$/, "") }
        /^[ \t]*\[/ { section = toupper($1); next }
        /^[ \t]*(;|$)/ { next }
        section == "[JUNCTIONS]" || section == "[RESERVOIRS]" || section == "[TANKS]" { nodes++ }
        section == "[PIPES]" || section == "[PUMPS]" || section == "[VALVES]" { links++ }
        END { printf "%d %d\n", nodes, links }
    ' "$1"
}

# Runs a command RUNS times; prints "median_seconds peak_kilobytes", or "failed".
measure() {
    local times=() peak=0 i line
    for ((i = 0; i < RUNS; i++)); do
        if ! /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/stdout" 2>&1; then
            echo "failed"
            return
        fi
        line="$(tail -n 1 "$WORK/time")"
        times+=("${line% *}")
        ((${line#* } > peak)) && peak="${line#* }"
    done
    printf '%s\n' "${times[@]}" | sort -g | awk -v peak="$peak" \
        '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; print m, peak }'
}

echo "| network | nodes | links | EPANET 2.3.5 (s) | danjiang (s) | danjiang/EPANET | EPANET peak MB | danjiang peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for arg in "${NETWORKS[@]}"; do
    inp="$(resolve "$arg")"
    name="$(basename "$inp" .inp)"
    read -r nodes links < <(count_elements "$inp")
    read -r epanet_time epanet_kb < <(
        export LD_LIBRARY_PATH="$EPANET_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        measure "$RUNEPANET" "$inp" "$WORK/epanet.rpt" "$WORK/epanet.out"
    )
    [[ "$epanet_time" == failed ]] && fail "EPANET failed on $name (see: $RUNEPANET $inp x.rpt)"
    epanet_mb="$(awk -v k="$epanet_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
    if ((HAVE_RUN)); then
        read -r ours_time ours_kb < <(measure "$DANJIANG" run "$inp" "$WORK/ours.rpt" "$WORK/ours.out")
        if [[ "$ours_time" == failed ]]; then
            ours="failed" ratio="-" ours_mb="-"
        else
            ours="$ours_time"
            ratio="$(awk -v a="$ours_time" -v b="$epanet_time" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
            ours_mb="$(awk -v k="$ours_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
        fi
    else
        ours="no run command" ratio="-" ours_mb="-"
    fi
    echo "| $name | $nodes | $links | $epanet_time | $ours | $ratio | $epanet_mb | $ours_mb |"
done
echo
echo "Median of $RUNS runs each, one program at a time, on $(nproc) cores; peak = largest resident set."
