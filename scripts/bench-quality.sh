#!/usr/bin/env bash
# Times whole hydraulics-plus-quality runs: EPANET 2.3.5 (runepanet) against `danjiang run`
# on the same networks, side by side (EPANET, danjiang, EPANET, danjiang, ...), and prints a
# Markdown table of the medians and their ratio.
#
#   scripts/bench-quality.sh [-n RUNS] [NETWORK ...]
#
# NETWORK is a name in tests/networks/public, tests/networks/features or tests/networks/quality,
# or a path to an .inp file; each must have a quality analysis. Without networks: ky17 (the
# largest public network with quality, 6,261 nodes, chlorine over 24 h), net6 (3,356 nodes,
# a chemical over 96 h) and net3 (trace from the lake). Each program runs RUNS times
# (default 5, at least 5) per network; the table gives each one's median wall time and the
# ratio danjiang/EPANET.
#
# EPANET comes from scripts/reference.sh (owa-epanet in .venv). danjiang is $DANJIANG, else
# target/release/danjiang (built here if missing).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=5
DEFAULT_NETWORKS=(ky17 net6 net3)

fail() {
    echo "bench-quality.sh: $*" >&2
    exit 1
}

while getopts "n:h" option; do
    case "$option" in
        n) RUNS="$OPTARG" ;;
        h) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) fail "usage: scripts/bench-quality.sh [-n RUNS] [NETWORK ...]" ;;
    esac
done
shift $((OPTIND - 1))
[[ "$RUNS" =~ ^[0-9]+$ ]] && ((RUNS >= 5)) || fail "-n must be a whole number of at least 5"
NETWORKS=("$@")
((${#NETWORKS[@]} > 0)) || NETWORKS=("${DEFAULT_NETWORKS[@]}")

eval "$("$ROOT/scripts/reference.sh" --env)"
[[ -n "${RUNEPANET:-}" ]] || fail "scripts/reference.sh --env gave no runepanet"

DANJIANG="${DANJIANG:-$ROOT/target/release/danjiang}"
if [[ ! -x "$DANJIANG" && "$DANJIANG" == "$ROOT/target/release/danjiang" ]]; then
    echo "building target/release/danjiang ..." >&2
    (cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target" cargo build --release --quiet -p danjiang) \
        || fail "cargo could not build danjiang"
fi
[[ -x "$DANJIANG" ]] || fail "no danjiang binary at $DANJIANG"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DANJIANG="$(realpath "$DANJIANG")"

resolve() {
    local arg="$1" dir
    if [[ -f "$arg" ]]; then
        realpath "$arg"
        return
    fi
    for dir in public features quality; do
        if [[ -f "$ROOT/tests/networks/$dir/${arg%.inp}.inp" ]]; then
            echo "$ROOT/tests/networks/$dir/${arg%.inp}.inp"
            return
        fi
    done
    fail "no network '$arg'"
}

# Seconds one run takes (wall clock), or "failed".
seconds() {
    local start end
    start="$(date +%s.%N)"
    if ! "$@" >"$WORK/stdout" 2>&1; then
        echo failed
        return
    fi
    end="$(date +%s.%N)"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

median() {
    sort -g | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

# Both programs run in the scratch folder: runepanet writes its temporary hydraulics file
# into the current folder.
cd "$WORK"
echo "| network | quality | EPANET 2.3.5 (s) | danjiang (s) | danjiang/EPANET |"
echo "| --- | --- | ---: | ---: | ---: |"
for arg in "${NETWORKS[@]}"; do
    inp="$(resolve "$arg")"
    name="$(basename "$inp" .inp)"
    quality="$(awk '{ sub(/\r$/, "") } /^[ \t]*\[/ { s = toupper($1); next }
        s == "[OPTIONS]" && toupper($1) == "QUALITY" { $1 = ""; sub(/^ +/, ""); print; exit }' "$inp")"
    epanet_times=() ours_times=()
    for ((i = 0; i < RUNS; i++)); do
        t="$(LD_LIBRARY_PATH="$EPANET_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
            seconds "$RUNEPANET" "$inp" "$WORK/epanet.rpt" "$WORK/epanet.out")"
        [[ "$t" == failed ]] && fail "EPANET failed on $name (see: $RUNEPANET $inp x.rpt)"
        epanet_times+=("$t")
        t="$(seconds "$DANJIANG" run --quiet "$inp" "$WORK/ours.rpt" "$WORK/ours.out")"
        [[ "$t" == failed ]] && fail "danjiang failed on $name (see: $DANJIANG run $inp x.rpt)"
        ours_times+=("$t")
    done
    epanet="$(printf '%s\n' "${epanet_times[@]}" | median)"
    ours="$(printf '%s\n' "${ours_times[@]}" | median)"
    ratio="$(awk -v a="$ours" -v b="$epanet" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
    echo "| $name | ${quality:-none} | $epanet | $ours | $ratio |"
done
echo
echo "Median of $RUNS runs each, the two programs taking turns, on $(nproc) cores."
