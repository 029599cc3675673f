#!/usr/bin/env bash
# Times one contamination sweep three ways on this machine and prints scenarios per second and
# the ratios: Danjiang (hydraulics once, shared by every thread), EPANET 2.3.5's toolkit
# (owa-epanet: ENsolveH once, then ENopenQ/ENinitQ/ENrunQ/ENnextQ per scenario), and WNTR's
# EpanetSimulator loop (a whole run per scenario).
#
#   scripts/bench-sweep.sh [NETWORK.inp]     default tests/networks/public/bwsn_network_2.inp
#
# Settings (environment): HOURS=24 QUALITY_STEP=300 STRENGTH=1000 (mg/min for one hour from
# the start, at each junction or tank in turn), THREADS=2, DANJIANG_EVERY=10 (Danjiang times
# every 10th scenario), EPANET_SAMPLE=40 and WNTR_SAMPLE=3 (scenarios timed for the
# references). A full every-node sweep through EPANET would take hours, so the references are
# timed on a sample spread over the network and extrapolated; all three rates are per scenario.
# Python packages come from PyPI into .venv (owa-epanet 2.3.5, wntr 1.5.0).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NETWORK="${1:-$ROOT/tests/networks/public/bwsn_network_2.inp}"
HOURS="${HOURS:-24}"
QUALITY_STEP="${QUALITY_STEP:-300}"
STRENGTH="${STRENGTH:-1000}"
THREADS="${THREADS:-2}"
DANJIANG_EVERY="${DANJIANG_EVERY:-10}"
EPANET_SAMPLE="${EPANET_SAMPLE:-40}"
WNTR_SAMPLE="${WNTR_SAMPLE:-3}"

venv="$ROOT/.venv"
if [[ ! -x "$venv/bin/python" ]]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import epanet, wntr, six" 2>/dev/null \
    || "$venv/bin/pip" install -q "owa-epanet==2.3.5" "wntr==1.5.0" six

cd "$ROOT"
cargo build -q --release -p danjiang-scenarios --example contamination_bench
target="${CARGO_TARGET_DIR:-$ROOT/target}"
echo "network $(basename "$NETWORK"), ${HOURS} h, quality step ${QUALITY_STEP} s, $(nproc) cores" >&2
ours="$("$target/release/examples/contamination_bench" "$NETWORK" "$HOURS" "$QUALITY_STEP" "$STRENGTH" "$DANJIANG_EVERY" "$THREADS")"
reference="$("$venv/bin/python" "$ROOT/scripts/bench-sweep.py" "$NETWORK" "$HOURS" "$QUALITY_STEP" "$STRENGTH" "$EPANET_SAMPLE" "$WNTR_SAMPLE")"
"$venv/bin/python" - "$ours" "$reference" <<'PY'
import json, sys
ours, reference = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [("Danjiang (%d threads)" % ours["threads"], ours), ("EPANET 2.3.5 toolkit", reference["epanet_toolkit"])]
if "wntr" in reference:
    rows.append(("WNTR 1.5 EpanetSimulator", reference["wntr"]))
# On a shared machine wall time depends on the share of the cores each process gets; CPU
# seconds per scenario do not, so both are shown.
def cpu(r):
    c = r.get("cpu_seconds")
    return c / r["scenarios_timed"] if c else float("nan")
print("| way | scenarios timed | scenarios/s (wall) | CPU s per scenario | full sweep (s, extrapolated) | Danjiang x faster (wall) | Danjiang x less CPU |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, r in rows:
    ratio = ours["scenarios_per_second"] / r["scenarios_per_second"]
    print("| %s | %d of %d | %.3f | %.4f | %.0f | %.1f | %.1f |" % (name, r["scenarios_timed"], r["scenarios_in_full_sweep"],
          r["scenarios_per_second"], cpu(r), r["full_sweep_seconds_extrapolated"], ratio, cpu(r) / cpu(ours)))
if ours.get("failed"):
    print("Danjiang: %d scenarios failed" % ours["failed"])
PY
