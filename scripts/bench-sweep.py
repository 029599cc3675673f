#!/usr/bin/env python3
"""The reference side of scripts/bench-sweep.sh: the same contamination sweep done with EPANET
2.3.5's toolkit (owa-epanet: hydraulics solved once and kept, then one quality run per
scenario, reading the receptors at every hydraulic step) and with WNTR's EpanetSimulator (one
full run per scenario, as a WNTR user loops). Each is timed on a sample of the scenarios and
reported as scenarios per second, so a full sweep's time is extrapolated, not measured.

usage: bench-sweep.py NETWORK.inp HOURS QUALITY_STEP_S STRENGTH_MG_PER_MIN \
           EPANET_SAMPLE WNTR_SAMPLE > figures.json
"""
import json
import os
import sys
import tempfile
import time

from epanet import toolkit as en


def sample_nodes(count_all, sample):
    """Every k-th scenario of the sweep's node order, spread over the whole network."""
    if sample >= count_all:
        return list(range(count_all))
    step = count_all / sample
    return [int(i * step) for i in range(sample)]


def epanet_loop(inp, hours, quality_step, strength, sample):
    project = en.createproject()
    workdir = tempfile.mkdtemp(prefix="dj-bench-")
    en.open(project, inp, os.path.join(workdir, "x.rpt"), "")
    en.settimeparam(project, en.DURATION, int(hours * 3600))
    en.settimeparam(project, en.QUALSTEP, int(quality_step))
    en.setqualtype(project, en.CHEM, "contaminant", "mg/L", "")
    node_count = en.getcount(project, en.NODECOUNT)
    link_count = en.getcount(project, en.LINKCOUNT)
    # A conservative contaminant, nothing in the water at the start: as the Danjiang sweep.
    for i in range(1, node_count + 1):
        en.setnodevalue(project, i, en.INITQUAL, 0.0)
        en.setnodevalue(project, i, en.SOURCEQUAL, 0.0)
    for k in range(1, link_count + 1):
        if en.getlinktype(project, k) <= en.PIPE:
            en.setlinkvalue(project, k, en.KBULK, 0.0)
            en.setlinkvalue(project, k, en.KWALL, 0.0)
    for i in range(1, node_count + 1):
        if en.getnodetype(project, i) == en.TANK:
            en.setnodevalue(project, i, en.TANK_KBULK, 0.0)
    # The injection: the first hour, on the pattern step.
    en.addpattern(project, "injection")
    pattern = en.getpatternindex(project, "injection")
    pattern_step = en.gettimeparam(project, en.PATTERNSTEP)
    periods = max(1, int(hours * 3600 // pattern_step) + 2)
    on = max(1, int(3600 // pattern_step))
    values = en.doubleArray(periods)
    for p in range(periods):
        values[p] = 1.0 if p < on else 0.0
    en.setpattern(project, pattern, values, periods)
    receptors = [i for i in range(1, node_count + 1) if en.getnodetype(project, i) == en.TANK]
    sources = [i for i in range(1, node_count + 1) if en.getnodetype(project, i) != en.RESERVOIR]

    started = time.perf_counter()
    en.solveH(project)  # hydraulics once, kept in EPANET's hydraulics file
    hydraulic_seconds = time.perf_counter() - started

    chosen = sample_nodes(len(sources), sample)
    cpu_started = time.process_time()
    started = time.perf_counter()
    for position in chosen:
        node = sources[position]
        en.setnodevalue(project, node, en.SOURCETYPE, en.MASS)
        en.setnodevalue(project, node, en.SOURCEQUAL, strength)
        en.setnodevalue(project, node, en.SOURCEPAT, pattern)
        en.openQ(project)
        en.initQ(project, en.NOSAVE)
        peak = [0.0] * len(receptors)
        while True:
            en.runQ(project)
            for r, receptor in enumerate(receptors):
                value = en.getnodevalue(project, receptor, en.QUALITY)
                if value > peak[r]:
                    peak[r] = value
            if en.nextQ(project) <= 0:
                break
        en.closeQ(project)
        en.setnodevalue(project, node, en.SOURCEQUAL, 0.0)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    en.close(project)
    en.deleteproject(project)
    return {
        "scenarios_timed": len(chosen),
        "scenarios_in_full_sweep": len(sources),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "hydraulics_seconds": hydraulic_seconds,
        "scenarios_per_second": len(chosen) / seconds,
        "full_sweep_seconds_extrapolated": hydraulic_seconds + len(sources) * seconds / len(chosen),
    }


def wntr_loop(inp, hours, quality_step, strength, sample):
    import wntr

    wn = wntr.network.WaterNetworkModel(inp)
    wn.options.time.duration = int(hours * 3600)
    wn.options.time.quality_timestep = int(quality_step)
    wn.options.quality.parameter = "CHEMICAL"
    wn.options.reaction.bulk_coeff = 0.0
    wn.options.reaction.wall_coeff = 0.0
    for _, pipe in wn.pipes():
        pipe.bulk_coeff = 0.0
        pipe.wall_coeff = 0.0
    for _, node in wn.nodes():
        node.initial_quality = 0.0
    step = wn.options.time.pattern_timestep
    periods = max(1, int(hours * 3600 // step) + 2)
    on = max(1, int(3600 // step))
    wn.add_pattern("injection", [1.0 if p < on else 0.0 for p in range(periods)])
    sources = [name for name, node in wn.nodes() if node.node_type != "Reservoir"]
    chosen = sample_nodes(len(sources), sample)
    workdir = tempfile.mkdtemp(prefix="dj-bench-wntr-")
    cpu_started = time.process_time()
    started = time.perf_counter()
    for position in chosen:
        node = sources[position]
        wn.add_source("contaminant", node, "MASS", strength, "injection")
        results = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=os.path.join(workdir, "run"))
        _ = results.node["quality"].max().max()
        wn.remove_source("contaminant")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "scenarios_timed": len(chosen),
        "scenarios_in_full_sweep": len(sources),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "scenarios_per_second": len(chosen) / seconds,
        "full_sweep_seconds_extrapolated": len(sources) * seconds / len(chosen),
    }


def main():
    inp, hours, quality_step, strength, epanet_sample, wntr_sample = sys.argv[1:7]
    hours, quality_step, strength = float(hours), int(quality_step), float(strength)
    figures = {"epanet_toolkit": epanet_loop(inp, hours, quality_step, strength, int(epanet_sample))}
    if int(wntr_sample) > 0:
        figures["wntr"] = wntr_loop(inp, hours, quality_step, strength, int(wntr_sample))
    json.dump(figures, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
