#!/usr/bin/env python3
"""SWMM 5 references for the canal engine (crates/canal/tests/canals/).

Regenerate (offline afterwards; `cargo test` reads only the committed CSV):

    python3 -m venv /work/main/.venv-swmm
    /work/main/.venv-swmm/bin/pip install swmm-toolkit
    /work/main/.venv-swmm/bin/python scripts/canal-reference.py            # run SWMM, write *.swmm.csv
    /work/main/.venv-swmm/bin/python scripts/canal-reference.py --generate # rewrite the test .inp too

`--generate` writes the test canals from the descriptions below: prismatic trapezoidal reaches
split into 500 m conduits (SWMM has one computational element per conduit), check gates as SIDE
ORIFICEs, withdrawals as OUTLETs (Q = c·depth^0, a fixed draw) and FIXED outfalls. Every
junction first gets an initial depth from a standard-step backwater computed here (energy
equation, Manning friction averaged over 10 m steps, SWMM's side-orifice equation inverted at the
gates); then SWMM runs 48 h with the boundary conditions held at their starting values, saving a
hotstart file, and its final depths and flows are written back as the junctions' InitDepth and
the conduits' InitFlow. The reference run uses that hotstart file; danjiang hot-starts from the
same InitDepth/InitFlow. Both therefore start from SWMM's own steady state.

For each canal SWMM 5 (swmm-toolkit's engine, dynamic wave) runs and the depth at every node and
the flow in every link at every report step go to <canal>.swmm.csv: columns time_s, then
depth:<node> and flow:<link>.
"""
import csv
import math
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CANALS = os.path.join(HERE, "..", "crates", "canal", "tests", "canals")
G = 9.81

# ---- test canal descriptions -------------------------------------------------------------
# A canal is a list of items from upstream to downstream:
#   ("reach", length_m, conduit_length_m, bottom_width, side_slope, n, bed_slope)
#   ("gate", id, height_m, width_m, cd, setting, full_travel_hours)
#   ("outlet", id, flow_m3s)   (a fixed withdrawal at the junction reached so far)
CANAL_DEFS = {
    "one_reach": {
        "title": "One prismatic trapezoidal reach, 10 km, an inflow wave",
        "items": [("reach", 10_000, 250, 10.0, 2.0, 0.015, 1e-4)],
        "invert": 100.0,
        "stage_depth": 4.0,
        "inflow": [(0, 30.0), (2, 30.0), (3, 45.0), (6, 45.0), (7, 30.0), (12, 30.0)],
        "hours": 12,
        "rules": [],
    },
    "pools": {
        "title": "Three pools behind two check gates, two outlets, an inflow step and an outlet closed",
        "items": [
            ("reach", 6_000, 250, 15.0, 2.0, 0.015, 4e-5),
            ("outlet", "O1", 3.0),
            ("reach", 2_000, 250, 15.0, 2.0, 0.015, 4e-5),
            ("gate", "G1", 4.0, 10.0, 0.6, 0.5, 1.0),
            ("reach", 6_000, 250, 15.0, 2.0, 0.015, 4e-5),
            ("outlet", "O2", 5.0),
            ("reach", 2_000, 250, 15.0, 2.0, 0.015, 4e-5),
            ("gate", "G2", 4.0, 10.0, 0.6, 0.5, 1.0),
            ("reach", 8_000, 250, 15.0, 2.0, 0.015, 4e-5),
        ],
        "invert": 100.0,
        "stage_depth": 4.5,
        "inflow": [(0, 40.0), (2, 40.0), (3, 48.0), (16, 48.0)],
        "hours": 16,
        "rules": [("O1_CLOSE", "SIMULATION TIME > 6", "OUTLET O1 SETTING = 0")],
    },
    "gate_closure": {
        "title": "A check gate closing on a ramp: the wave runs upstream",
        "items": [
            ("reach", 10_000, 250, 15.0, 2.0, 0.015, 4e-5),
            ("gate", "G1", 4.0, 10.0, 0.6, 0.5, 2.0),
            ("reach", 10_000, 250, 15.0, 2.0, 0.015, 4e-5),
        ],
        "invert": 100.0,
        "stage_depth": 4.5,
        "inflow": [(0, 40.0), (16, 40.0)],
        "hours": 16,
        "rules": [("G1_CLOSE", "SIMULATION TIME > 2", "ORIFICE G1 SETTING = 0.3")],
    },
}


def trapezoid(y, b, z):
    area = b * y + z * y * y
    perimeter = b + 2 * y * math.sqrt(1 + z * z)
    width = b + 2 * z * y
    return area, perimeter, width


def friction_slope(q, y, b, z, n):
    area, perimeter, _ = trapezoid(y, b, z)
    r = area / perimeter
    return (n * q / area) ** 2 / r ** (4 / 3)


def energy(q, y, b, z):
    area, _, _ = trapezoid(y, b, z)
    return y + (q / area) ** 2 / (2 * G)


def step_upstream(q, y_down, dx, b, z, n, s0):
    """Depth upstream of a dx step (energy equation, mean friction slope), by bisection."""
    e_down = energy(q, y_down, b, z)
    sf_down = friction_slope(q, y_down, b, z, n)

    def f(y):
        return energy(q, y, b, z) + s0 * dx - e_down - 0.5 * dx * (friction_slope(q, y, b, z, n) + sf_down)

    low, high = 0.3 * y_down, y_down + 5.0
    for _ in range(100):
        mid = 0.5 * (low + high)
        if f(mid) < 0:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def side_orifice(crest, opening, width, cd, h1, h2):
    """SWMM 5's side orifice (orifice flow, weir flow below the lip, Villemonte submergence)."""
    if opening <= 0 or h1 <= crest:
        return 0.0
    lip, middle = crest + opening, crest + opening / 2
    fill = (h1 - crest) / opening if h1 < lip else 1.0
    if fill < 1:
        head = h1 - crest
    elif h2 < middle:
        head = h1 - middle
    else:
        head = h1 - h2
    c = cd * width * opening * math.sqrt(2 * G)
    if fill < 1:
        q = c * math.sqrt(opening / 2) * fill ** 1.5
        if h2 > crest:
            q *= (1 - ((h2 - crest) / (h1 - crest)) ** 1.5) ** 0.385
        return q
    return c * math.sqrt(head)


def layout(canal):
    """Nodes (id, invert, chainage) and links of a description, upstream first."""
    nodes, links = [], []
    invert, chainage = canal["invert"], 0.0
    nodes.append(["J0", invert, 0.0])
    for item in canal["items"]:
        if item[0] == "reach":
            _, length, piece, b, z, n, s0 = item
            for _ in range(int(round(length / piece))):
                invert -= s0 * piece
                chainage += piece
                node = f"J{len(nodes)}"
                links.append(("conduit", f"C{len(links) + 1}", nodes[-1][0], node, piece, n, b, z, s0))
                nodes.append([node, invert, chainage])
        elif item[0] == "gate":
            _, gid, height, width, cd, setting, travel = item
            node = f"J{len(nodes)}"
            links.append(("gate", gid, nodes[-1][0], node, height, width, cd, setting, travel))
            nodes.append([node, invert, chainage])
        elif item[0] == "outlet":
            _, oid, flow = item
            links.append(("outlet", oid, nodes[-1][0], f"{oid}_OUT", flow))
    return nodes, links


def initial_profile(canal, nodes, links):
    """Steady depths at the main nodes and flows in the main links, marched upstream."""
    q_in = canal["inflow"][0][1]
    flows, q = {}, q_in
    for link in links:
        if link[0] == "outlet":
            q -= link[4]
        else:
            flows[link[1]] = q
    inverts = {n[0]: n[1] for n in nodes}
    heads = {nodes[-1][0]: inverts[nodes[-1][0]] + canal["stage_depth"]}
    for link in reversed([l for l in links if l[0] != "outlet"]):
        up, down = link[2], link[3]
        q = flows[link[1]]
        if link[0] == "conduit":
            _, _, _, _, length, n, b, z, s0 = link
            y = heads[down] - inverts[down]
            steps = int(length / 10)
            for _ in range(steps):
                y = step_upstream(q, y, length / steps, b, z, n, s0)
            heads[up] = inverts[up] + y
        else:
            _, _, _, _, height, width, cd, setting, _ = link
            crest = max(inverts[up], inverts[down])
            low, high = heads[down], heads[down] + 20
            for _ in range(100):
                mid = 0.5 * (low + high)
                if side_orifice(crest, setting * height, width, cd, mid, heads[down]) < q:
                    low = mid
                else:
                    high = mid
            heads[up] = 0.5 * (low + high)
    return {k: heads[k] - inverts[k] for k in heads}, flows


def write_inp(name, canal, target=None, hours=None, extra=""):
    nodes, links = layout(canal)
    depths, flows = initial_profile(canal, nodes, links)
    flows = {k: 0.0 for k in flows}  # replaced by the spun-up flows
    hours = hours or canal["hours"]
    end_day, end_hour = 1 + hours // 24, hours % 24
    lines = [f"[TITLE]\n;;{canal['title']}\n;;Generated by scripts/canal-reference.py --generate\n"]
    lines.append(
        "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nLINK_OFFSETS DEPTH\n"
        "START_DATE 01/01/2024\nSTART_TIME 00:00:00\nREPORT_START_DATE 01/01/2024\n"
        f"REPORT_START_TIME 00:00:00\nEND_DATE 01/{end_day:02d}/2024\nEND_TIME {end_hour:02d}:00:00\n"
        "REPORT_STEP 00:05:00\nWET_STEP 00:05:00\nDRY_STEP 00:05:00\nROUTING_STEP 0:00:05\n"
        "ALLOW_PONDING NO\nINERTIAL_DAMPING PARTIAL\nNORMAL_FLOW_LIMITED FROUDE\n"
        "VARIABLE_STEP 0.75\nLENGTHENING_STEP 0\nMIN_SURFAREA 0\nMAX_TRIALS 20\n"
        "HEAD_TOLERANCE 0.0005\nSYS_FLOW_TOL 5\nLAT_FLOW_TOL 5\nMINIMUM_STEP 0.5\nTHREADS 1\n"
    )
    lines.append("[REPORT]\nINPUT NO\nCONTROLS NO\nNODES ALL\nLINKS ALL\n")
    if extra:
        lines.append(extra)
    lines.append("[JUNCTIONS]\n;;Name Elevation MaxDepth InitDepth SurDepth Aponded")
    for node, invert, _ in nodes[:-1]:
        lines.append(f"{node} {invert:.4f} 10 {depths[node]:.4f} 0 0")
    lines.append("\n[OUTFALLS]\n;;Name Elevation Type Stage Gated")
    last = nodes[-1]
    lines.append(f"{last[0]} {last[1]:.4f} FIXED {last[1] + canal['stage_depth']:.4f} NO")
    for link in links:
        if link[0] == "outlet":
            lines.append(f"{link[3]} 0 FREE NO")
    lines.append("\n[CONDUITS]\n;;Name From To Length Roughness InOffset OutOffset InitFlow MaxFlow")
    for link in links:
        if link[0] == "conduit":
            lines.append(f"{link[1]} {link[2]} {link[3]} {link[4]} {link[5]} 0 0 {flows[link[1]]:.4f} 0")
    gates = [l for l in links if l[0] == "gate"]
    if gates:
        lines.append("\n[ORIFICES]\n;;Name From To Type Offset Qcoeff Gated CloseTime")
        for g in gates:
            lines.append(f"{g[1]} {g[2]} {g[3]} SIDE 0 {g[6]} NO {g[8]}")
    outlets = [l for l in links if l[0] == "outlet"]
    if outlets:
        lines.append("\n[OUTLETS]\n;;Name From To Offset Type Qcoeff Qexpon Gated")
        for o in outlets:
            lines.append(f"{o[1]} {o[2]} {o[3]} 0 FUNCTIONAL/DEPTH {o[4]} 0 NO")
    lines.append("\n[XSECTIONS]\n;;Link Shape Geom1 Geom2 Geom3 Geom4 Barrels")
    for link in links:
        if link[0] == "conduit":
            lines.append(f"{link[1]} TRAPEZOIDAL 8 {link[6]} {link[7]} {link[7]} 1")
        elif link[0] == "gate":
            lines.append(f"{link[1]} RECT_CLOSED {link[4]} {link[5]} 0 0")
    if canal["rules"] or gates:
        lines.append("\n[CONTROLS]")
        for g in gates:
            lines.append(f"RULE {g[1]}_START\nIF SIMULATION TIME < 0\nTHEN ORIFICE {g[1]} SETTING = {g[7]}\nELSE ORIFICE {g[1]} SETTING = {g[7]}\nPRIORITY 1\n")
        for rid, premise, action in canal["rules"]:
            lines.append(f"RULE {rid}\nIF {premise}\nTHEN {action}\nPRIORITY 5\n")
    lines.append("\n[TIMESERIES]\n;;Name Time Value")
    for t, q in canal["inflow"]:
        lines.append(f"INFLOW {t} {q}")
    lines.append("\n[INFLOWS]\n;;Node Constituent TimeSeries Type Mfactor Sfactor Baseline Pattern")
    lines.append('J0 FLOW INFLOW FLOW 1.0 1.0')
    lines.append("\n[COORDINATES]\n;;Node X Y")
    for node, _, chainage in nodes:
        lines.append(f"{node} {chainage:.1f} 0")
    for link in outlets:
        up = next(n for n in nodes if n[0] == link[2])
        lines.append(f"{link[3]} {up[2]:.1f} -500")
    with open(target or os.path.join(CANALS, f"{name}.inp"), "w") as f:
        f.write("\n".join(lines) + "\n")


def spin_up(name, canal, scratch):
    """Runs the canal 48 h with constant boundaries; writes its end state into the .inp."""
    path = os.path.join(CANALS, f"{name}.inp")
    text = open(path).read()
    hotstart = os.path.join(scratch, f"{name}.hsf")
    steady = dict(canal, inflow=[(0, canal["inflow"][0][1]), (48, canal["inflow"][0][1])], rules=[])
    write_inp(name, steady, target=os.path.join(scratch, "spin.inp"), hours=48,
              extra=f'[FILES]\nSAVE HOTSTART "{hotstart}"\n')
    header, rows = run_swmm(os.path.join(scratch, "spin.inp"))
    last = dict(zip(header, rows[-1]))
    out = []
    section = None
    for line in text.splitlines():
        if line.startswith("["):
            section = line
        parts = line.split()
        if section == "[JUNCTIONS]" and parts and not line.startswith(("[", ";")):
            parts[3] = last[f"depth:{parts[0]}"]
            line = " ".join(parts)
        if section == "[CONDUITS]" and parts and not line.startswith(("[", ";")):
            parts[7] = last[f"flow:{parts[0]}"]
            line = " ".join(parts)
        out.append(line)
    open(path, "w").write("\n".join(out) + "\n")
    return hotstart


def run_swmm(path):
    from swmm.toolkit import output, shared_enum, solver

    with tempfile.TemporaryDirectory() as scratch:
        rpt, out = os.path.join(scratch, "run.rpt"), os.path.join(scratch, "run.out")
        solver.swmm_run(path, rpt, out)
        handle = output.init()
        output.open(handle, out)
        periods = output.get_times(handle, shared_enum.Time.NUM_PERIODS)
        step = output.get_times(handle, shared_enum.Time.REPORT_STEP)
        nodes = [output.get_elem_name(handle, shared_enum.ElementType.NODE, i)
                 for i in range(output.get_proj_size(handle)[shared_enum.ElementType.NODE])]
        links = [output.get_elem_name(handle, shared_enum.ElementType.LINK, i)
                 for i in range(output.get_proj_size(handle)[shared_enum.ElementType.LINK])]
        rows = []
        for period in range(periods):
            depth = output.get_node_attribute(handle, period, shared_enum.NodeAttribute.INVERT_DEPTH)
            flow = output.get_link_attribute(handle, period, shared_enum.LinkAttribute.FLOW_RATE)
            rows.append([(period + 1) * step] + [f"{d:.4f}" for d in depth] + [f"{q:.4f}" for q in flow])
        output.close(handle)
    header = ["time_s"] + [f"depth:{n}" for n in nodes] + [f"flow:{l}" for l in links]
    return header, rows


def main():
    scratch = tempfile.mkdtemp()
    for name, canal in CANAL_DEFS.items():
        if "--generate" in sys.argv:
            write_inp(name, canal)
        hotstart = spin_up(name, canal, scratch)
        path = os.path.join(CANALS, f"{name}.inp")
        run_copy = os.path.join(scratch, f"{name}.inp")
        with open(run_copy, "w") as f:
            f.write(open(path).read() + f'\n[FILES]\nUSE HOTSTART "{hotstart}"\n')
        header, rows = run_swmm(run_copy)
        with open(os.path.join(CANALS, f"{name}.swmm.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        print(f"{name}: {len(rows)} report steps")


if __name__ == "__main__":
    main()
