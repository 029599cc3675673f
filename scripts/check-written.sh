#!/usr/bin/env bash
# Checks the .inp writer against EPANET 2.3.5: every public network is converted by
# `danjiang convert` to a new .inp, EPANET runs the original and the written file, and the two
# binary output files are compared (every period, node and link; IDs, topology and integers
# exactly; float32 values equal, or within a relative 1e-6 which is reported as such).
#
# Usage: scripts/check-written.sh [network.inp ...]   (default: tests/networks/public/*.inp)
#        DANJIANG=target/release/danjiang scripts/check-written.sh   (skips the build)
# Prints OK or DIFF per network and a count; exits non-zero on any DIFF.
# Installs EPANET 2.3.5 (PyPI owa-epanet) into .venv when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# ---- EPANET 2.3.5 in .venv -------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('owa-epanet') != '2.3.5')" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check 'owa-epanet==2.3.5'
fi
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# The wheel puts runepanet at the root of the environment (its RECORD says ../../../runepanet).
runepanet=
for candidate in .venv/runepanet .venv/bin/runepanet; do
    if [ -x "$candidate" ]; then runepanet=$candidate; break; fi
done
[ -n "$runepanet" ] || { echo "runepanet not found in .venv" >&2; exit 2; }
export LD_LIBRARY_PATH="$site/owa_epanet.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# ---- danjiang (DANJIANG=path/to/danjiang uses a binary already built) --------------------
if [ -n "${DANJIANG:-}" ]; then
    danjiang=$DANJIANG
else
    cargo build --quiet -p danjiang
    danjiang="${CARGO_TARGET_DIR:-$root/target}/debug/danjiang"
fi

# ---- networks ----------------------------------------------------------------------------
if [ $# -gt 0 ]; then
    networks=("$@")
else
    shopt -s nullglob
    networks=(tests/networks/public/*.inp)
fi
rejects=tests/networks/public/EPANET-REJECTS.txt

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/compare.py" <<'PYTHON'
"""Compares two EPANET 2.3 binary output files, skipping the title and file names."""
import struct
import sys


def parse(path):
    data = open(path, "rb").read()
    ints = lambda offset, count: struct.unpack_from(f"<{count}i", data, offset)
    floats = lambda offset, count: struct.unpack_from(f"<{count}f", data, offset)
    header = ints(0, 15)
    nodes, tanks, links, pumps = header[2], header[3], header[4], header[5]
    parts = {"header": ("int", header)}
    offset = 15 * 4 + 3 * 80 + 2 * 260
    parts["quality names"] = ("bytes", data[offset:offset + 64])
    offset += 64
    parts["node ids"] = ("bytes", data[offset:offset + 32 * nodes])
    offset += 32 * nodes
    parts["link ids"] = ("bytes", data[offset:offset + 32 * links])
    offset += 32 * links
    parts["link ends and types"] = ("int", ints(offset, 3 * links))
    offset += 12 * links
    parts["tank nodes"] = ("int", ints(offset, tanks))
    offset += 4 * tanks
    parts["tank areas, elevations, lengths, diameters"] = (
        "float", floats(offset, tanks + nodes + 2 * links))
    offset += 4 * (tanks + nodes + 2 * links)
    energy_ints, energy_floats = [], []
    for _ in range(pumps):
        energy_ints.append(ints(offset, 1)[0])
        energy_floats.extend(floats(offset + 4, 6))
        offset += 28
    energy_floats.append(floats(offset, 1)[0])
    offset += 4
    parts["energy pump indices"] = ("int", tuple(energy_ints))
    parts["energy"] = ("float", tuple(energy_floats))
    epilog = len(data) - 28
    periods = ints(epilog + 16, 1)[0]
    per_period = 4 * nodes + 8 * links
    if offset + 4 * periods * per_period != epilog:
        raise SystemExit(f"{path}: unexpected file size")
    parts["results"] = ("float", floats(offset, periods * per_period))
    parts["reaction totals"] = ("float", floats(epilog, 4))
    parts["periods, warnings"] = ("int", ints(epilog + 16, 2))
    return parts


def main():
    first, second = parse(sys.argv[1]), parse(sys.argv[2])
    worst = 0.0
    for name, (kind, a) in first.items():
        b = second[name][1]
        if len(a) != len(b):
            print(f"{name}: {len(a)} values against {len(b)}")
            return 1
        if kind in ("int", "bytes"):
            if a != b:
                print(f"{name} differ")
                return 1
            continue
        for i, (x, y) in enumerate(zip(a, b)):
            if x == y or (x != x and y != y):
                continue
            scale = max(abs(x), abs(y))
            relative = abs(x - y) / scale
            worst = max(worst, relative)
            if relative > 1e-6:
                print(f"{name}[{i}]: {x!r} against {y!r}")
                return 1
    print("identical" if worst == 0.0 else f"max relative difference {worst:.2e}")
    return 0


sys.exit(main())
PYTHON

ok=0
diff=0
skipped=0
for network in "${networks[@]}"; do
    name=$(basename "$network" .inp)
    if [ -f "$rejects" ] && grep -qiE "^\s*$name(\.inp)?\b" "$rejects"; then
        echo "SKIP $name (EPANET rejects the original)"
        skipped=$((skipped + 1))
        continue
    fi
    original="$work/$name.original"
    written="$work/$name.written"
    if ! "$runepanet" "$network" "$original.rpt" "$original.out" >/dev/null 2>&1 \
        || [ ! -s "$original.out" ]; then
        echo "SKIP $name (EPANET does not run the original)"
        skipped=$((skipped + 1))
        continue
    fi
    if ! "$danjiang" convert "$network" "$written.inp" 2>"$work/convert.err"; then
        echo "DIFF $name: danjiang convert failed: $(head -c 300 "$work/convert.err")"
        diff=$((diff + 1))
        continue
    fi
    if ! "$runepanet" "$written.inp" "$written.rpt" "$written.out" >/dev/null 2>&1 \
        || [ ! -s "$written.out" ]; then
        echo "DIFF $name: EPANET does not run the written file: $(grep -m1 -i error "$written.rpt" || true)"
        diff=$((diff + 1))
        continue
    fi
    if verdict=$(.venv/bin/python "$work/compare.py" "$original.out" "$written.out"); then
        echo "OK   $name ($verdict)"
        ok=$((ok + 1))
    else
        echo "DIFF $name: $verdict"
        diff=$((diff + 1))
    fi
done

echo
echo "$ok OK, $diff DIFF, $skipped skipped, of ${#networks[@]} networks"
[ "$diff" -eq 0 ]
