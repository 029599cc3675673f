#!/usr/bin/env python3
"""Make EPANET 2.3.5 water-quality references for crates/quality/tests/parity.rs.

For each case (a public network, optionally with its quality options changed) it writes into
tests/networks/quality/:
  <case>.inp        the network exactly as EPANET ran it,
  hyd-<hash>.hyd    EPANET's own hydraulics file (every hydraulic step, float32, US units),
                    shared by the cases with the same hydraulics,
  <case>.json       run facts: sizes, report times, mass balance, reaction rates,
  <case>.qual.bin   per reporting period float32 node quality, link quality, link reaction rate.

The quality engine is then tested over EPANET's hydraulics, which isolates quality parity from
hydraulic parity. Usage: scripts/quality-reference.py [case ...]
Needs owa-epanet 2.3.5: if `epanet` cannot be imported, a virtual environment is made at .venv
(pip install owa-epanet==2.3.5) and the script runs again inside it.
"""

import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.environ.get("DANJIANG_QUALITY_OUT") or os.path.join(ROOT, "tests", "networks", "quality")
SOURCES_DIR = os.path.join(ROOT, "tests", "networks", "quality", "sources")

try:
    from epanet import toolkit as tk
except ImportError:
    venv = os.path.join(ROOT, ".venv")
    python = os.path.join(venv, "bin", "python")
    if os.environ.get("DANJIANG_QUALITY_REEXEC"):
        sys.exit("owa-epanet is not importable even inside .venv")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "owa-epanet==2.3.5"])
    os.environ["DANJIANG_QUALITY_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)

# Public networks the cases start from: EPANET's examples and WNTR's test networks
# (BSD-licensed), fetched once into tests/networks/quality/sources/.
EPANET_RAW = "https://raw.githubusercontent.com/OpenWaterAnalytics/EPANET/v2.3.5/example-networks/"
WNTR_RAW = "https://raw.githubusercontent.com/USEPA/WNTR/main/wntr/tests/networks_for_testing/"
NETWORKS = {
    "Net1": EPANET_RAW + "Net1.inp",
    "Net2": EPANET_RAW + "Net2.inp",
    "Net3": EPANET_RAW + "Net3.inp",
    "Anytown": WNTR_RAW + "Anytown.inp",
    "control_comb": WNTR_RAW + "control_comb.inp",
    "cv_controls": WNTR_RAW + "cv_controls.inp",
    "epanet_leaks": WNTR_RAW + "epanet_leaks.inp",
    "fcv_open_no_downstream_sources": WNTR_RAW + "fcv_open_no_downstream_sources.inp",
    "prv_open_no_upstream_sources": WNTR_RAW + "prv_open_no_upstream_sources.inp",
    "psv_open_no_downstream_sources": WNTR_RAW + "psv_open_no_downstream_sources.inp",
    "tank_controls_1": WNTR_RAW + "tank_controls_1.inp",
    "tank_controls_2": WNTR_RAW + "tank_controls_2.inp",
    "conditional_controls_1": WNTR_RAW + "conditional_controls_1.inp",
    "time_controls": WNTR_RAW + "time_controls.inp",
    "io": WNTR_RAW + "io.inp",
    "Net6": "https://raw.githubusercontent.com/USEPA/WNTR/main/wntr/library/networks/Net6.inp",
}
# Public networks and feature networks already in the repository (see their SOURCES.md).
for _name in ["bwsn_network_1", "ca1", "jilin", "modified_new_york_tunnels", "pa1", "pa2", "wa1", "ky16",
              "01-uk-style", "02-us-style", "van_zyl", "richmond_standard", "c-town", "d-town",
              "micropolis_v1", "wntr_msx_example", "net3_trace"]:
    NETWORKS[_name] = "tests/networks/public/" + _name + ".inp"
for _name in ["corpus_chezy_manning", "corpus_leakage", "corpus_pda_emitters", "corpus_tanks_rules",
              "corpus_constant_power", "corpus_valves_all"]:
    NETWORKS[_name] = "tests/networks/features/" + _name + ".inp"

# A chlorine analysis; SEED gives every reservoir 1.0 mg/L and every tank 0.5 mg/L to start.
CHLORINE = {"OPTIONS": ["Quality Chlorine mg/L"], "REACTIONS": ["Global Bulk -0.5", "Global Wall -1"], "SEED": True}


def case(network, **changes):
    return {"network": network, "changes": changes}


# Each case: the network and section lines appended to it (EPANET takes the last setting).
CASES = {
    "net1_chlorine": case("Net1"),
    "net1_age": case("Net1", OPTIONS=["Quality Age"]),
    "net1_trace": case("Net1", OPTIONS=["Quality Trace 9"]),
    "net1_2comp": case("Net1", MIXING=["2 2COMP 0.3"]),
    "net1_fifo": case("Net1", MIXING=["2 FIFO"]),
    "net1_lifo": case("Net1", MIXING=["2 LIFO"]),
    "net1_fifo_age": case("Net1", OPTIONS=["Quality Age"], MIXING=["2 FIFO"]),
    "net1_lifo_age": case("Net1", OPTIONS=["Quality Age"], MIXING=["2 LIFO"]),
    "net1_2comp_age": case("Net1", OPTIONS=["Quality Age"], MIXING=["2 2COMP 0.5"]),
    "net1_mass_source": case("Net1", SOURCES=["12 MASS 200"], REACTIONS=["Order Bulk 2", "Limiting Potential 2"]),
    "net1_setpoint_source": case("Net1", SOURCES=["21 SETPOINT 1.2"], REACTIONS=["Order Wall 0", "Global Wall -0.3"]),
    "net1_flowpaced_source": case("Net1", PATTERNS=["SRC 1 0 0.5 2"], SOURCES=["31 FLOWPACED 0.8 SRC"]),
    "net1_reservoir_pattern": case("Net1", PATTERNS=["SRC 1 1 0 0 0.5 0"], SOURCES=["9 CONCEN 2 SRC"],
                                   REACTIONS=["Roughness Correlation 50"], OPTIONS=["Diffusivity 2"]),
    "net1_concen_junction": case("Net1", DEMANDS=["10 -20"], SOURCES=["10 CONCEN 3"], OPTIONS=["Tolerance 0.05"]),
    "net1_per_pipe_coefficients": case("Net1", REACTIONS=["Bulk 11 -2", "Wall 12 -0.8", "Bulk 21 0",
                                                           "Wall 110 -3", "Tank 2 -1.5", "Order Tank 1.5"]),
    "net1_michaelis_menten": case("Net1", REACTIONS=["Order Bulk -1", "Limiting Potential 3", "Global Bulk -2"]),
    "net1_no_mass_transfer": case("Net1", OPTIONS=["Diffusivity 0"], REACTIONS=["Global Wall -1.5"]),
    "net1_zero_order_unlimited": case("Net1", OPTIONS=["Diffusivity 0"],
                                      REACTIONS=["Order Wall 0", "Global Wall -0.5"]),
    "net1_micrograms": case("Net1", OPTIONS=["Quality Lead ug/L", "Tolerance 0.5"], QUALITY=["9 20"],
                            SOURCES=["22 MASS 3000"], REACTIONS=["Order Wall 0", "Global Wall 2", "Global Bulk 0"]),
    "net2_fluoride": case("Net2"),
    "net2_age": case("Net2", OPTIONS=["Quality Age"]),
    "net3_trace_river": case("Net3", OPTIONS=["Quality Trace River"]),
    "net3_trace_lake": case("Net3", OPTIONS=["Quality Trace Lake"]),
    "net3_age": case("Net3", OPTIONS=["Quality Age"]),
    "net3_chlorine": case("Net3", **CHLORINE, QUALITY=["River 1.2", "Lake 0.8"]),
    "net3_fifo_lifo_age": case("Net3", OPTIONS=["Quality Age"], MIXING=["1 FIFO", "2 LIFO", "3 2COMP 0.2"]),
    "anytown_age": case("Anytown", OPTIONS=["Quality Age"]),
    "anytown_chlorine": case("Anytown", **CHLORINE),
    "control_comb_age": case("control_comb", OPTIONS=["Quality Age"]),
    "cv_controls_age": case("cv_controls", OPTIONS=["Quality Age"]),
    "epanet_leaks_chlorine": case("epanet_leaks", **CHLORINE),
    "fcv_age": case("fcv_open_no_downstream_sources", OPTIONS=["Quality Age"]),
    "prv_age": case("prv_open_no_upstream_sources", OPTIONS=["Quality Age"]),
    "psv_age": case("psv_open_no_downstream_sources", OPTIONS=["Quality Age"]),
    "tank_controls_1_age": case("tank_controls_1", OPTIONS=["Quality Age"]),
    "tank_controls_2_chlorine": case("tank_controls_2", **CHLORINE),
    "conditional_controls_1_age": case("conditional_controls_1", OPTIONS=["Quality Age"]),
    "time_controls_age": case("time_controls", OPTIONS=["Quality Age"]),
    "io_age": case("io", OPTIONS=["Quality Age"]),
    "bwsn1_chemical": case("bwsn_network_1", SEED=True, REACTIONS=["Global Bulk -0.2"]),
    "ca1_chlorine": case("ca1"),
    "jilin_chlorine": case("jilin"),
    "new_york_tunnels_chlorine": case("modified_new_york_tunnels"),
    "pa1_chlorine": case("pa1"),
    "pa2_chlorine": case("pa2"),
    "wa1_chlorine": case("wa1"),
    "ky16_age": case("ky16"),
    "uk_style_age": case("01-uk-style", OPTIONS=["Quality Age"]),
    "us_style_chlorine": case("02-us-style", **CHLORINE),
    "van_zyl_age": case("van_zyl", OPTIONS=["Quality Age"]),
    "richmond_age": case("richmond_standard", OPTIONS=["Quality Age"]),
    "c_town_age": case("c-town", OPTIONS=["Quality Age"], TIMES=["Duration 24:00"]),
    "d_town_age": case("d-town", TIMES=["Duration 24:00"]),
    "micropolis_age": case("micropolis_v1", OPTIONS=["Quality Age"], TIMES=["Duration 24:00"]),
    "msx_example_age": case("wntr_msx_example", OPTIONS=["Quality Age"]),
    "net3_trace_15_days": case("net3_trace", TIMES=["Statistic NONE"]),
    "chezy_manning_chlorine": case("corpus_chezy_manning", OPTIONS=["Quality Chlorine mg/L"], SEED=True,
                                   REACTIONS=["Global Bulk -0.3", "Roughness Correlation 20"]),
    "leakage_dw_zero_order_wall": case("corpus_leakage", OPTIONS=["Quality Chlorine mg/L"],
                                       QUALITY=["RES 1.5"], SOURCES=["RES CONCEN 1.5"],
                                       REACTIONS=["Order Wall 0", "Roughness Correlation -5"]),
    "pda_emitters_dw_chlorine": case("corpus_pda_emitters", OPTIONS=["Quality Chlorine mg/L"], SEED=True,
                                     REACTIONS=["Global Bulk -0.2", "Roughness Correlation -2"]),
    "tanks_rules_age": case("corpus_tanks_rules", OPTIONS=["Quality Age"]),
    "tanks_rules_fifo_chlorine": case("corpus_tanks_rules", **CHLORINE, MIXING=["SPILL FIFO"]),
    "tanks_rules_lifo_age": case("corpus_tanks_rules", OPTIONS=["Quality Age"], MIXING=["SPILL LIFO"]),
    "tanks_rules_2comp_trace": case("corpus_tanks_rules", OPTIONS=["Quality Trace PLANT"], MIXING=["SPILL 2COMP 0.4"]),
    "tanks_rules_trace_bowl": case("corpus_tanks_rules", OPTIONS=["Quality Trace BOWL"]),
    "constant_power_second_order": case("corpus_constant_power", OPTIONS=["Quality Chlorine mg/L"], SEED=True,
                                        REACTIONS=["Order Bulk 2", "Global Bulk -0.4", "Limiting Potential 0.2",
                                                   "Order Tank 0", "Global Wall -0.5"]),
    "valves_all_age": case("corpus_valves_all", OPTIONS=["Quality Age"]),
}


# Cases too heavy to commit (Net6's hydraulics file is 45 MB): made only when named, best
# with DANJIANG_QUALITY_OUT set to a scratch folder.
HEAVY_CASES = {
    "net6_age": case("Net6", OPTIONS=["Quality Age"]),
    "net6_trace": case("Net6", OPTIONS=["Quality Trace RESERVOIR-3323"]),
}


def source_text(network):
    scratch = os.path.join(OUT_DIR, "sources", network + ".inp")
    if os.path.exists(scratch):
        return open(scratch, "rb").read().decode("latin-1")
    if not NETWORKS[network].startswith("https:"):
        return open(os.path.join(ROOT, NETWORKS[network]), "rb").read().decode("latin-1")
    os.makedirs(SOURCES_DIR, exist_ok=True)
    path = os.path.join(SOURCES_DIR, network + ".inp")
    if not os.path.exists(path):
        with urllib.request.urlopen(NETWORKS[network]) as response:
            data = response.read()
        with open(path, "wb") as f:
            f.write(data)
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


# Sections whose lines set one option each, with the number of words that name the option.
REPLACED_KEYS = {"OPTIONS": 1, "REACTIONS": 2, "REPORT": 1, "TIMES": 1}


def with_changes(text, changes):
    """Appends lines to sections, adding a section that is missing."""
    for section, lines in changes.items():
        header = re.compile(r"^\s*\[" + section + r"\]", re.I | re.M)
        block = "\n".join(lines) + "\n"
        # The last section of that name, as EPANET reads them all in order.
        match = None
        for match in header.finditer(text):
            pass
        if match is None:
            end = re.search(r"^\s*\[END\]", text, re.I | re.M)
            insert = f"[{section}]\n{block}\n"
            text = text[: end.start()] + insert + text[end.start():] if end else text + insert
            continue
        following = re.compile(r"^\s*\[", re.M).search(text, match.end())
        at = following.start() if following else len(text)
        body = text[match.end():at]
        if section in REPLACED_KEYS:
            # Drop the lines the new ones replace, so the file says each option once.
            words = REPLACED_KEYS[section]
            keys = {" ".join(line.split()[:words]).upper() for line in lines}
            body = "\n".join(
                line for line in body.split("\n")
                if " ".join(line.split(";")[0].split()[:words]).upper() not in keys
            )
        text = text[:match.end()] + body.rstrip("\n") + "\n" + block + "\n" + text[at:]
    return text


def check(code, what):
    if code not in (None, 0) and code > 100:
        raise RuntimeError(f"{what}: EPANET error {code}")


def mass_balance(report_path):
    values = {}
    with open(report_path, encoding="latin-1") as f:
        text = f.read()
    for key, name in [("initial", "Initial Mass"), ("inflow", "Mass Inflow"), ("outflow", "Mass Outflow"),
                      ("reacted", "Mass Reacted"), ("final", "Final Mass"), ("ratio", "Mass Ratio"),
                      ("segments", "Total Segments")]:
        found = re.findall(name + r":\s+(\S+)", text)
        values[key] = float(found[-1]) if found else None
    return values


def seed_lines(text):
    """[QUALITY] lines giving each reservoir 1.0 and each tank 0.5."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "seed.inp")
        with open(inp, "w", encoding="latin-1") as f:
            f.write(text)
        project = tk.createproject()
        try:
            tk.open(project, inp, os.path.join(tmp, "seed.rpt"), "")
            lines = []
            for i in range(1, tk.getcount(project, tk.NODECOUNT) + 1):
                kind = tk.getnodetype(project, i)
                if kind in (tk.RESERVOIR, tk.TANK):
                    lines.append(f"{tk.getnodeid(project, i)} {1.0 if kind == tk.RESERVOIR else 0.5}")
        finally:
            tk.close(project)
            tk.deleteproject(project)
    return lines


def run_case(name, spec):
    changes = dict(spec["changes"])
    text = source_text(spec["network"])
    if changes.pop("SEED", False):
        changes["QUALITY"] = changes.get("QUALITY", []) + seed_lines(text)
    text = with_changes(text, changes)
    # The status report makes EPANET write its mass balance into the report file.
    text = with_changes(text, {"REPORT": ["Status Yes"]})
    inp = os.path.join(OUT_DIR, name + ".inp")
    with open(inp, "w", encoding="latin-1", newline="\n") as f:
        f.write(text)
    with tempfile.TemporaryDirectory() as tmp:
        rpt, out = os.path.join(tmp, "r.rpt"), os.path.join(tmp, "r.out")
        project = tk.createproject()
        try:
            tk.open(project, inp, rpt, out)
            tk.solveH(project)
            hyd_tmp = os.path.join(tmp, "h.hyd")
            tk.savehydfile(project, hyd_tmp)
            tk.solveQ(project)
            tk.report(project)
            nodes = tk.getcount(project, tk.NODECOUNT)
            links = tk.getcount(project, tk.LINKCOUNT)
            node_ids = [tk.getnodeid(project, i) for i in range(1, nodes + 1)]
            link_ids = [tk.getlinkid(project, i) for i in range(1, links + 1)]
            report_start = tk.gettimeparam(project, tk.REPORTSTART)
            report_step = tk.gettimeparam(project, tk.REPORTSTEP)
        finally:
            tk.close(project)
            tk.deleteproject(project)
        with open(out, "rb") as f:
            data = f.read()
        balance = mass_balance(rpt)
        # Cases that share hydraulics share one file, named for its content.
        with open(hyd_tmp, "rb") as f:
            hyd = f.read()
        hyd_name = "hyd-" + hashlib.sha1(hyd).hexdigest()[:12] + ".hyd"
        with open(os.path.join(OUT_DIR, hyd_name), "wb") as f:
            f.write(hyd)
    reactions = struct.unpack("<4f", data[-28:-12])
    periods, _warn, magic = struct.unpack("<3i", data[-12:])
    assert magic == 516114521, "bad output file"
    period_bytes = 4 * (4 * nodes + 8 * links)
    start = len(data) - 28 - periods * period_bytes
    blob = bytearray()
    for p in range(periods):
        base = start + p * period_bytes
        node_q = data[base + 3 * 4 * nodes: base + 4 * 4 * nodes]
        link_base = base + 4 * 4 * nodes
        link_q = data[link_base + 3 * 4 * links: link_base + 4 * 4 * links]
        link_r = data[link_base + 6 * 4 * links: link_base + 7 * 4 * links]
        blob += node_q + link_q + link_r
    with open(os.path.join(OUT_DIR, name + ".qual.bin"), "wb") as f:
        f.write(blob)
    facts = {
        "case": name,
        "network": spec["network"],
        "changes": spec["changes"],
        "hydraulics": hyd_name,
        "nodes": nodes,
        "links": links,
        "periods": periods,
        "report_times": [report_start + p * report_step for p in range(periods)],
        "node_ids": node_ids,
        "link_ids": link_ids,
        "mass_balance": balance,
        "reaction_rates": {"bulk": reactions[0], "wall": reactions[1], "tank": reactions[2], "source": reactions[3]},
    }
    with open(os.path.join(OUT_DIR, name + ".json"), "w") as f:
        json.dump(facts, f, indent=1)
    print(f"{name}: {nodes} nodes, {links} links, {periods} periods, mass ratio {balance['ratio']}")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    wanted = sys.argv[1:] or list(CASES)
    for name in wanted:
        run_case(name, CASES.get(name) or HEAVY_CASES[name])


if __name__ == "__main__":
    main()
