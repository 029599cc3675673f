#!/usr/bin/env python3
"""Dump what EPANET 2.3.5 reads from .inp files, in the files' own units, as JSON.

The reader's parity test (crates/network/tests/read_parity.rs) compares the network the
reader builds, converted back to the file's units, with these values.

Usage: scripts/reader-reference.py OUT_DIR NET.inp [NET.inp ...]
Needs the owa-epanet package (EPANET 2.3.5): pip install owa-epanet==2.3.5
"""
import json
import os
import sys

from epanet import toolkit as en


def node_data(ph, i):
    kind = en.getnodetype(ph, i)
    v = lambda code: en.getnodevalue(ph, i, code)
    node = {
        "id": en.getnodeid(ph, i),
        "type": ["junction", "reservoir", "tank"][kind],
        "elevation": v(en.ELEVATION),
        "initial_quality": v(en.INITQUAL),
    }
    if kind == en.JUNCTION:
        n = en.getnumdemands(ph, i)
        node["demands"] = [en.getbasedemand(ph, i, k + 1) for k in range(n)]
        node["demand_patterns"] = [
            en.getpatternid(ph, p) if (p := en.getdemandpattern(ph, i, k + 1)) > 0 else None
            for k in range(n)
        ]
        node["emitter"] = v(en.EMITTER)
    elif kind == en.RESERVOIR:
        p = int(v(en.PATTERN))
        node["head_pattern"] = en.getpatternid(ph, p) if p > 0 else None
    else:
        node["initial_level"] = v(en.TANKLEVEL)
        node["min_level"] = v(en.MINLEVEL)
        node["max_level"] = v(en.MAXLEVEL)
        node["diameter"] = v(en.TANKDIAM)
        node["min_volume"] = v(en.MINVOLUME)
        c = int(v(en.VOLCURVE))
        node["volume_curve"] = en.getcurveid(ph, c) if c > 0 else None
        node["mix_model"] = int(v(en.MIXMODEL))
        node["mix_fraction"] = v(en.MIXFRACTION)
        node["can_overflow"] = bool(v(en.CANOVERFLOW))
    return node


def link_data(ph, i):
    kind = en.getlinktype(ph, i)
    v = lambda code: en.getlinkvalue(ph, i, code)
    n1, n2 = en.getlinknodes(ph, i)
    names = ["cvpipe", "pipe", "pump", "prv", "psv", "pbv", "fcv", "tcv", "gpv", "pcv"]
    link = {
        "id": en.getlinkid(ph, i),
        "type": names[kind],
        "from": en.getnodeid(ph, n1),
        "to": en.getnodeid(ph, n2),
        "initial_status": v(en.INITSTATUS),
        "initial_setting": v(en.INITSETTING),
    }
    if kind <= 1:
        link.update(
            length=v(en.LENGTH),
            diameter=v(en.DIAMETER),
            roughness=v(en.ROUGHNESS),
            minor_loss=v(en.MINORLOSS),
            bulk=v(en.KBULK),
            wall=v(en.KWALL),
        )
    elif kind == 2:
        c = int(v(en.PUMP_HCURVE))
        e = int(v(en.PUMP_ECURVE))
        p = int(v(en.LINKPATTERN))
        link.update(
            power=v(en.PUMP_POWER),
            head_curve=en.getcurveid(ph, c) if c > 0 else None,
            efficiency_curve=en.getcurveid(ph, e) if e > 0 else None,
            speed_pattern=en.getpatternid(ph, p) if p > 0 else None,
        )
    else:
        link.update(diameter=v(en.DIAMETER), minor_loss=v(en.MINORLOSS))
    return link


def dump(path):
    ph = en.createproject()
    en.open(ph, path, os.devnull, "")
    count = lambda code: en.getcount(ph, code)
    curves = {}
    for c in range(1, count(en.CURVECOUNT) + 1):
        n = en.getcurvelen(ph, c)
        curves[en.getcurveid(ph, c)] = {
            "type": en.getcurvetype(ph, c),
            "points": [list(en.getcurvevalue(ph, c, k + 1)) for k in range(n)],
        }
    patterns = {}
    for p in range(1, count(en.PATCOUNT) + 1):
        n = en.getpatternlen(ph, p)
        patterns[en.getpatternid(ph, p)] = [en.getpatternvalue(ph, p, k + 1) for k in range(n)]
    option = lambda code: en.getoption(ph, code)
    times = lambda code: en.gettimeparam(ph, code)
    data = {
        "flow_units": en.getflowunits(ph),
        "options": {
            "headloss": option(en.HEADLOSSFORM),
            "trials": option(en.TRIALS),
            "accuracy": option(en.ACCURACY),
            "demand_multiplier": option(en.DEMANDMULT),
            "emitter_exponent": option(en.EMITEXPON),
            "specific_gravity": option(en.SP_GRAVITY),
        },
        "times": {
            "duration": times(en.DURATION),
            "hydraulic_step": times(en.HYDSTEP),
            "pattern_step": times(en.PATTERNSTEP),
            "pattern_start": times(en.PATTERNSTART),
            "report_step": times(en.REPORTSTEP),
            "report_start": times(en.REPORTSTART),
            "start_clocktime": times(en.STARTTIME),
        },
        "nodes": [node_data(ph, i) for i in range(1, count(en.NODECOUNT) + 1)],
        "links": [link_data(ph, i) for i in range(1, count(en.LINKCOUNT) + 1)],
        "patterns": patterns,
        "curves": curves,
        "controls": count(en.CONTROLCOUNT),
        "rules": count(en.RULECOUNT),
    }
    en.close(ph)
    en.deleteproject(ph)
    return data


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for path in sys.argv[2:]:
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            data = dump(path)
        except Exception as error:  # EPANET refused the file
            print(f"{name}: EPANET refused it ({error})", file=sys.stderr)
            continue
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(data, f, separators=(",", ":"))
        print(f"{name}: {len(data['nodes'])} nodes, {len(data['links'])} links")


if __name__ == "__main__":
    main()
