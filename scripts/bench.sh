#!/usr/bin/env bash
# Times EPANET 2.3.5 (runepanet) against `danjiang run` on the same networks, the two programs
# taking turns (EPANET, danjiang, EPANET, ...), and prints a Markdown table for BENCHMARKS.md.
#
#   scripts/bench.sh [-n RUNS] [NETWORK ...]
#
# NETWORK is a name in tests/networks/public or tests/networks/features, a path to an .inp
# file, or gen-SIZE (e.g. gen-10k, gen-100k, gen-1m, gen-2500): a network made by
# `danjiang generate --nodes SIZE --seed 1 --layout mixed` into target/bench-networks/.
# Without networks: the five public networks EPANET takes longest on, then gen-1k, gen-10k and
# gen-100k. Each program runs RUNS times (default 5, at least 5) per network; the table gives the
# median wall time and the median CPU time (user + system, less sensitive to a shared machine),
# the ratios danjiang/EPANET, and the peak resident memory (/usr/bin/time %M).
#
# EPANET comes from scripts/reference.sh (owa-epanet in .venv). danjiang is
# $DANJIANG, else target/release/danjiang (built here if missing); if it has no `run`
# subcommand yet, its columns say so and EPANET is still timed.
set -euo pipefail
# Decimal points, not commas, in the clock and in awk.
export LC_ALL=C

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=5
DEFAULT_NETWORKS=(net6 biws_e-town micropolis_v1 nj1 l-town gen-1k gen-10k gen-100k)

fail() {
    echo "bench.sh: $*" >&2
    exit 1
}

while getopts "n:h" option; do
    case "$option" in
        n) RUNS="$OPTARG" ;;
        h) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
DANJIANG="$(realpath "$DANJIANG")"
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
        realpath "$arg"
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

# Median of a list of numbers on standard input.
median() {
    sort -g | awk '{ t[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

# One timed run of a command: appends "wall cpu peak_kb" to the file $1, or returns 1.
# The wall time comes from bash's microsecond clock (GNU time's %e has 10 ms steps, too
# coarse for the small networks); CPU time and peak memory come from GNU time.
time_once() {
    local record="$1" started ended
    shift
    started="$EPOCHREALTIME"
    /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" >"$WORK/stdout" 2>&1 || return 1
    ended="$EPOCHREALTIME"
    tail -n 1 "$WORK/time" \
        | awk -v wall="$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.4f", b - a }')" \
            '{ printf "%s %.2f %s\n", wall, $1 + $2, $3 }' >>"$record"
}

# "median_wall median_cpu peak_mb" of a record file.
summarise() {
    local wall cpu peak
    wall="$(awk '{ print $1 }' "$1" | median | awk '{ printf "%.3f", $1 }')"
    cpu="$(awk '{ print $2 }' "$1" | median)"
    peak="$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { printf "%.1f", m / 1024 }' "$1")"
    echo "$wall $cpu $peak"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# Both programs run in the scratch folder: runepanet writes its temporary hydraulics file
# (gigabytes for the largest networks) into the current folder.
cd "$WORK"
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo
echo "| network | nodes | links | EPANET wall s | danjiang wall s | wall ratio | EPANET CPU s | danjiang CPU s | CPU ratio | EPANET peak MB | danjiang peak MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for arg in "${NETWORKS[@]}"; do
    inp="$(resolve "$arg")"
    name="$(basename "$inp" .inp)"
    read -r nodes links < <(count_elements "$inp")
    : >"$WORK/epanet" && : >"$WORK/ours"
    ours_failed=0
    for ((i = 0; i < RUNS; i++)); do
        LD_LIBRARY_PATH="$EPANET_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
            time_once "$WORK/epanet" "$RUNEPANET" "$inp" "$WORK/epanet.rpt" "$WORK/epanet.out" \
            || fail "EPANET failed on $name (see: $RUNEPANET $inp x.rpt)"
        if ((HAVE_RUN && !ours_failed)); then
            time_once "$WORK/ours" "$DANJIANG" run "$inp" "$WORK/ours.rpt" "$WORK/ours.out" \
                || ours_failed=1
        fi
    done
    read -r epanet_wall epanet_cpu epanet_mb < <(summarise "$WORK/epanet")
    if ((!HAVE_RUN)); then
        row="no run command | - | $epanet_cpu | - | - | $epanet_mb | -"
    elif ((ours_failed)); then
        row="failed | - | $epanet_cpu | - | - | $epanet_mb | -"
    else
        read -r ours_wall ours_cpu ours_mb < <(summarise "$WORK/ours")
        row="$ours_wall | $(ratio "$ours_wall" "$epanet_wall") | $epanet_cpu | $ours_cpu | $(ratio "$ours_cpu" "$epanet_cpu") | $epanet_mb | $ours_mb"
    fi
    echo "| $name | $nodes | $links | $epanet_wall | $row |"
done
echo
echo "Median of $RUNS runs each, the programs taking turns, on $(nproc) cores; CPU = user + system;"
echo "peak = largest resident set. Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
