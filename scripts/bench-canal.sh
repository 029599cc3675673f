#!/usr/bin/env bash
# Side by side: `danjiang canal run` / `canal spill` against SWMM 5 (swmm-toolkit's engine, dynamic
# wave) on the same canal, median of N runs each, and the ratio.
#
#   scripts/bench-canal.sh [CANAL.inp] [N]        (default examples/xuchang/canal.inp, 7)
#
# Needs a release build (cargo build --release -p danjiang) and a venv with swmm-toolkit:
#   python3 -m venv /work/main/.venv-swmm && /work/main/.venv-swmm/bin/pip install swmm-toolkit
# SWMM has one computational element per conduit, danjiang cuts every conduit into cells of at most
# 100 m. So SWMM runs twice: on the file as it is, and on a copy whose conduits are cut into pieces
# of at most 100 m as well (same resolution; its step then shrinks to the Courant limit).
set -euo pipefail
cd "$(dirname "$0")/.."
CANAL=${1:-examples/xuchang/canal.inp}
N=${2:-7}
PYTHON=${PYTHON:-/work/main/.venv-swmm/bin/python}
TARGET=${CARGO_TARGET_DIR:-target}
DANJIANG=${DANJIANG:-$TARGET/release/danjiang}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
CANAL=$(realpath "$CANAL")

"$PYTHON" - "$CANAL" "$SCRATCH/fine.inp" <<'PY'
# Cut every conduit into pieces of at most 100 m (new junctions interpolated) for SWMM.
import math, sys
src, dst = sys.argv[1], sys.argv[2]
sections, order, current = {}, [], None
for line in open(src):
    s = line.strip()
    if s.startswith("["):
        current = s.upper(); order.append(current); sections[current] = []; continue
    if current: sections[current].append(line.rstrip("\n"))
def rows(name): return [l.split() for l in sections.get(name, []) if l.strip() and not l.strip().startswith(";")]
junctions = {r[0]: r for r in rows("[JUNCTIONS]")}
outfalls = {r[0]: r for r in rows("[OUTFALLS]")}
coords = {r[0]: r for r in rows("[COORDINATES]")}
def invert(n): return float((junctions.get(n) or outfalls[n])[1])
def depth(n): return float(junctions[n][3]) if n in junctions else None
xsect = {r[0]: r for r in rows("[XSECTIONS]")}
losses = {r[0]: r for r in rows("[LOSSES]")}
new_j, new_c, new_x, new_l, new_xy = [], [], [], [], []
for r in rows("[CONDUITS]"):
    name, a, b, length = r[0], r[1], r[2], float(r[3])
    pieces = max(1, math.ceil(length / 100.0))
    prev = a
    for i in range(1, pieces + 1):
        f = i / pieces
        node = b if i == pieces else f"{name}_{i}"
        if i < pieces:
            ya, yb = depth(a), depth(b) if depth(b) is not None else depth(a)
            new_j.append(f"{node} {invert(a) + f * (invert(b) - invert(a)):.4f} 9 {ya + f * (yb - ya):.4f} 0 0")
            if a in coords and b in coords:
                xa, ya_, xb, yb_ = map(float, (coords[a][1], coords[a][2], coords[b][1], coords[b][2]))
                new_xy.append(f"{node} {xa + f * (xb - xa):.6f} {ya_ + f * (yb_ - ya_):.6f}")
        pname = name if pieces == 1 else f"{name}_p{i}"
        new_c.append(" ".join([pname, prev, node, f"{length / pieces:.3f}"] + r[4:]))
        new_x.append(" ".join([pname] + xsect[name][1:]))
        if name in losses:
            new_l.append(" ".join([pname] + [f"{float(k) / pieces:.4f}" for k in losses[name][1:4]]))
        prev = node
    xsect.pop(name)
    losses.pop(name, None)
sections["[JUNCTIONS]"] += new_j
sections["[CONDUITS]"] = new_c
sections["[XSECTIONS]"] = new_x + [" ".join(v) for v in xsect.values()]
sections["[LOSSES]"] = new_l + [" ".join(v) for v in losses.values()]
if "[LOSSES]" not in order: order.append("[LOSSES]")
sections.setdefault("[COORDINATES]", []).extend(new_xy)
with open(dst, "w") as out:
    for name in order:
        out.write(name + "\n" + "\n".join(sections[name]) + "\n\n")
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_it() { # command... -> seconds
  local start end
  start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
swmm() { "$PYTHON" -c "import sys; from swmm.toolkit import solver; solver.swmm_run(sys.argv[1], sys.argv[2], sys.argv[3])" "$1" "$SCRATCH/s.rpt" "$SCRATCH/s.out"; }

declare -A RESULT
for what in run spill swmm swmm_fine; do
  for _ in $(seq "$N"); do
    case $what in
      run) time_it "$DANJIANG" canal run "$CANAL" ;;
      spill) time_it "$DANJIANG" canal spill "$CANAL" --at-km 23 --mass-kg 1000 --format json ;;
      swmm) time_it swmm "$CANAL" ;;
      swmm_fine) time_it swmm "$SCRATCH/fine.inp" ;;
    esac
  done > "$SCRATCH/$what.times"
  RESULT[$what]=$(median < "$SCRATCH/$what.times")
done
conduits=$(awk '/^\[CONDUITS\]/{f=1;next} /^\[/{f=0} f && NF && $1 !~ /^;/' "$CANAL" | wc -l)
fine=$(awk '/^\[CONDUITS\]/{f=1;next} /^\[/{f=0} f && NF && $1 !~ /^;/' "$SCRATCH/fine.inp" | wc -l)
printf 'canal %s, medians of %d runs (wall clock, process start included)\n' "$CANAL" "$N"
printf '  danjiang canal run              %7.3f s\n' "${RESULT[run]}"
printf '  danjiang canal spill (+transport) %5.3f s\n' "${RESULT[spill]}"
printf '  SWMM 5, file as is (%d conduits) %6.3f s   ratio danjiang run / SWMM %.2f\n' "$conduits" "${RESULT[swmm]}" "$(echo "${RESULT[run]} / ${RESULT[swmm]}" | bc -l)"
printf '  SWMM 5, conduits cut to <=100 m (%d) %6.3f s   ratio danjiang run / SWMM %.2f, spill / SWMM %.2f\n' "$fine" "${RESULT[swmm_fine]}" "$(echo "${RESULT[run]} / ${RESULT[swmm_fine]}" | bc -l)" "$(echo "${RESULT[spill]} / ${RESULT[swmm_fine]}" | bc -l)"
