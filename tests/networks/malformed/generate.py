#!/usr/bin/env python3
"""Writes the malformed inputs of this folder from one valid network: python3 generate.py ."""
import os, re, subprocess, sys
BASE = """[TITLE]
Malformed input: {what}

[JUNCTIONS]
;ID  Elevation  Demand  Pattern
J1   100   10
J2   90    20   PAT1

[RESERVOIRS]
R1   150

[TANKS]
;ID  Elev  Init  Min  Max  Diam
T1   120   5     0    10   20

[PIPES]
;ID  Node1  Node2  Length  Diam  Rough
P1   R1     J1     1000    12    100
P2   J1     J2     1000    10    100
P3   J2     T1     1000    8     100

[PATTERNS]
PAT1  1.0  1.2  0.8

[OPTIONS]
UNITS  GPM

[TIMES]
DURATION  24:00

[END]
"""
# name: (what, list of (action, anchor, text))
# action "replace": replace the line starting with anchor; "after": insert after the line starting with anchor
CASES = {
 "201_tank_too_few_fields": ("a tank line with levels but no diameter", [("replace", "T1 ", "T1   120   5     0    10")]),
 "201_pump_unknown_keyword": ("a pump keyword that is not HEAD, POWER, SPEED or PATTERN", [("after", "P3 ", "\n[PUMPS]\nPU1  R1  J1  FLOW  50")]),
 "202_junction_elevation": ("a junction elevation that is not a number", [("replace", "J1 ", "J1   1OO   10")]),
 "202_pipe_length_zero": ("a pipe of zero length", [("replace", "P2 ", "P2   J1     J2     0       10    100")]),
 "202_pattern_value": ("a pattern multiplier that is not a number", [("replace", "PAT1 ", "PAT1  1.0  x1.2  0.8")]),
 "203_pipe_undefined_node": ("a pipe to a node that does not exist", [("replace", "P3 ", "P3   J2     T9     1000    8     100")]),
 "204_status_undefined_link": ("a status for a link that does not exist", [("before", "[TIMES]", "[STATUS]\nP9  CLOSED\n")]),
 "205_junction_undefined_pattern": ("a junction with a pattern that does not exist", [("replace", "J2 ", "J2   90    20   PAT9")]),
 "205_demand_undefined_pattern": ("a demand with a pattern that does not exist", [("before", "[TIMES]", "[DEMANDS]\nJ1  5  NOPAT\n")]),
 "206_pump_undefined_curve": ("a pump head curve that does not exist", [("after", "P3 ", "\n[PUMPS]\nPU1  R1  J1  HEAD  C9")]),
 "207_control_check_valve": ("a control on a pipe with a check valve", [("replace", "P1 ", "P1   R1     J1     1000    12    100  0  CV"), ("before", "[TIMES]", "[CONTROLS]\nLINK P1 CLOSED AT TIME 2\n")]),
 "208_pda_pressure_limits": ("a required pressure below the minimum pressure", [("after", "UNITS ", "DEMAND MODEL PDA\nREQUIRED PRESSURE 10\nMINIMUM PRESSURE 20")]),
 "209_negative_tank_level": ("a negative tank minimum level", [("replace", "T1 ", "T1   120   5     -1   10   20")]),
 "209_negative_emitter": ("a negative emitter coefficient", [("before", "[TIMES]", "[EMITTERS]\nJ1  -0.5\n")]),
 "211_negative_status_setting": ("a negative pipe status setting", [("before", "[TIMES]", "[STATUS]\nP2  -1\n")]),
 "212_undefined_trace_node": ("a trace of a node that does not exist", [("after", "UNITS ", "QUALITY TRACE N9")]),
 "213_flow_units": ("flow units EPANET does not know", [("replace", "UNITS ", "UNITS  GALLONS")]),
 "213_valve_type": ("a valve type EPANET does not know", [("after", "P3 ", "\n[VALVES]\nV1  J1  J2  12  XYZ  50")]),
 "213_time_value": ("a duration that is not a time", [("replace", "DURATION ", "DURATION  two days")]),
 "213_control_condition": ("a control condition neither ABOVE nor BELOW", [("before", "[TIMES]", "[CONTROLS]\nLINK P2 CLOSED IF NODE T1 OVER 8\n")]),
 "215_duplicate_node": ("a junction defined twice", [("after", "J2 ", "J1   95    5")]),
 "216_energy_undefined_pump": ("energy data for a pump that does not exist", [("before", "[TIMES]", "[ENERGY]\nPUMP PU9 PRICE 0.1\n")]),
 "217_energy_negative_efficiency": ("a global pump efficiency below zero", [("before", "[TIMES]", "[ENERGY]\nGLOBAL EFFICIENCY -75\n")]),
 "219_prv_to_reservoir": ("a PRV connected to a reservoir", [("after", "P3 ", "\n[VALVES]\nV1  R1  J2  12  PRV  50")]),
 "221_rule_then_before_if": ("a rule with THEN before IF", [("before", "[TIMES]", "[RULES]\nRULE 1\nTHEN PIPE P2 STATUS IS CLOSED\nIF TANK T1 LEVEL ABOVE 8\n")]),
 "222_same_start_and_end": ("a pipe from a node to itself", [("replace", "P2 ", "P2   J1     J1     1000    10    100")]),
 "223_one_node": ("a network of a single reservoir", None),
 "224_no_tank_or_reservoir": ("a network without tanks or reservoirs", None),
 "225_tank_levels": ("a tank whose initial level is above its maximum", [("replace", "T1 ", "T1   120   15    0    10   20")]),
 "226_pump_without_curve": ("a pump with neither head curve nor power", [("after", "P3 ", "\n[PUMPS]\nPU1  R1  J1")]),
 "227_pump_curve_rising": ("a pump head curve whose head rises with flow", [("after", "P3 ", "\n[PUMPS]\nPU1  R1  J1  HEAD  C1\n\n[CURVES]\nC1  100  50\nC1  200  60\nC1  300  70\nC1  400  80")]),
 "230_curve_x_not_increasing": ("a curve whose x values do not increase", [("after", "P3 ", "\n[PUMPS]\nPU1  R1  J1  HEAD  C1\n\n[CURVES]\nC1  0    100\nC1  200  80\nC1  150  60")]),
 "233_unconnected_junction": ("a junction with no links", [("after", "J2 ", "J3   80    5")]),
 "252_id_too_long": ("a junction ID of 32 characters", [("after", "J2 ", "J_with_an_id_of_32_characters_xx   80   0")]),
 "299_unknown_section": ("a section EPANET does not know", [("before", "[TIMES]", "[PUMPZ]\nPU1 R1 J1 HEAD C1\n")]),
 "201_rule_premise_fields": ("a rule premise with too few fields", [("before", "[TIMES]", "[RULES]\nRULE 1\nIF TANK T1 LEVEL\nTHEN PIPE P2 STATUS IS CLOSED\n")]),
 "many_errors": ("three errors in one file, each reported", [("replace", "J1 ", "J1   1OO   10"), ("replace", "P3 ", "P3   J2     T9     1000    8     100"), ("replace", "DURATION ", "DURATION  two days")]),
 "203_rule_undefined_node": ("a rule premise on a node that does not exist", [("before", "[TIMES]", "[RULES]\nRULE 1\nIF TANK T9 LEVEL ABOVE 8\nTHEN PIPE P2 STATUS IS CLOSED\n")]),
}
SPECIAL = {
 "223_one_node": "[TITLE]\nMalformed input: a network of a single reservoir\n\n[RESERVOIRS]\nR1   150\n\n[END]\n",
 "224_no_tank_or_reservoir": "[TITLE]\nMalformed input: a network without tanks or reservoirs\n\n[JUNCTIONS]\nJ1   100   10\nJ2   90    20\n\n[PIPES]\nP1   J1     J2     1000    12    100\n\n[END]\n",
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, (what, edits) in CASES.items():
    if edits is None:
        text = SPECIAL[name]
    else:
        lines = BASE.format(what=what).split("\n")
        for action, anchor, new in edits:
            idx = next(i for i, l in enumerate(lines) if l.startswith(anchor))
            if action == "replace":
                lines[idx:idx+1] = new.split("\n")
            elif action == "before":
                lines[idx:idx] = new.split("\n")
            else:
                lines[idx+1:idx+1] = new.split("\n")
        text = "\n".join(lines)
    with open(os.path.join(out, name + ".inp"), "w") as f:
        f.write(text)
