#!/usr/bin/env bash
# Reads Danjiang's binary output file (.out) for a network with WNTR's reader
# (wntr.epanet.io.BinFile) next to EPANET 2.3.5's own .out for the same network, and
# compares every result table. Exits non-zero when WNTR cannot read our file, when the
# tables differ in shape, times or element names, or when a value differs by more than the
# tolerances.
#
#   scripts/check-out-wntr.sh [NET.inp] [--head-tol FT] [--flow-tol FLOW] [--rel-tol R]
#
# Defaults: EPANET's Net3 (tests/networks/public/net3.inp or the output crate's copy).
# Installs wntr and owa-epanet into .venv on first use. DANJIANG=path/to/danjiang uses a
# binary already built instead of building a release one.
set -euo pipefail
cd "$(dirname "$0")/.."

network=""
head_tol=0.01
flow_tol=0.05
rel_tol=0.001
while [ $# -gt 0 ]; do
    case "$1" in
        --head-tol) head_tol="$2"; shift 2 ;;
        --flow-tol) flow_tol="$2"; shift 2 ;;
        --rel-tol) rel_tol="$2"; shift 2 ;;
        *) network="$1"; shift ;;
    esac
done
if [ -z "$network" ]; then
    for candidate in tests/networks/public/net3.inp tests/networks/public/Net3.inp \
        crates/output/tests/data/net3.inp; do
        if [ -f "$candidate" ]; then network="$candidate"; break; fi
    done
fi
[ -f "$network" ] || { echo "no network file: $network" >&2; exit 2; }

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import wntr, epanet.toolkit, six" 2>/dev/null; then
    # wntr 1.5 imports six without declaring it.
    .venv/bin/pip install --quiet "wntr==1.5.0" "owa-epanet==2.3.5" six
fi

# DANJIANG=path/to/danjiang uses a binary already built.
danjiang="${DANJIANG:-}"
if [ -z "$danjiang" ]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
    cargo build --quiet --release -p danjiang
    danjiang="$CARGO_TARGET_DIR/release/danjiang"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$network" "$work/net.inp"
"$danjiang" run --quiet "$work/net.inp" "$work/ours.rpt" "$work/ours.out"

.venv/bin/python - "$work" "$head_tol" "$flow_tol" "$rel_tol" <<'PY'
import sys
import numpy as np
from epanet import toolkit
from wntr.epanet.io import BinFile

work, head_tol, flow_tol, rel_tol = sys.argv[1], *map(float, sys.argv[2:5])
project = toolkit.createproject()
toolkit.runproject(project, f"{work}/net.inp", f"{work}/epanet.rpt", f"{work}/epanet.out", None)
toolkit.deleteproject(project)

ours = BinFile().read(f"{work}/ours.out")
theirs = BinFile().read(f"{work}/epanet.out")
failures = []
tolerances = {"head": head_tol, "pressure": head_tol, "demand": flow_tol, "flowrate": flow_tol}
for kind, ours_tables, their_tables in (("node", ours.node, theirs.node), ("link", ours.link, theirs.link)):
    for name, theirs_df in their_tables.items():
        ours_df = ours_tables[name]
        if list(ours_df.columns) != list(theirs_df.columns):
            failures.append(f"{kind} {name}: element names differ")
            continue
        if list(ours_df.index) != list(theirs_df.index):
            failures.append(f"{kind} {name}: times differ ({len(ours_df.index)} periods against {len(theirs_df.index)})")
            continue
        a = ours_df.to_numpy(dtype=float)
        b = theirs_df.to_numpy(dtype=float)
        diff = np.abs(a - b)
        worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else None
        largest = float(diff[worst]) if worst is not None else 0.0
        where = f"{ours_df.columns[worst[1]]} at {ours_df.index[worst[0]]} s" if worst is not None else "-"
        line = f"{kind:4} {name:16} max abs diff {largest:.6g} ({where})"
        if name in tolerances:
            allowed = tolerances[name] + rel_tol * np.maximum(np.abs(a), np.abs(b))
            broken = int(np.count_nonzero(diff > allowed))
            line += f"  {'ok' if broken == 0 else f'BROKEN at {broken} values'}"
            if broken:
                failures.append(line)
        print(line)
if failures:
    print("\nWNTR reads our .out, but results differ from EPANET's:")
    print("\n".join(failures))
    sys.exit(1)
print("\nWNTR reads our .out and gets EPANET's results within the tolerances.")
PY
