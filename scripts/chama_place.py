"""Solves Chama impact files with Chama 0.3 (its ImpactFormulation, HiGHS through Pyomo) and
prints one JSON line per sensor count: {"count": p, "objective": ..., "sensors": [...]}.

    python chama_place.py IMPACT.csv SCENARIOS.csv P [P ...]

The scenario file's probabilities are used (use_scenario_probability), as `danjiang sensors
place --scenarios` uses them.
"""
import json
import sys

import chama
import pandas as pd


def main():
    impact_path, scenario_path, *counts = sys.argv[1:]
    # Chama checks for object columns; pandas 3 reads text as its own string type.
    impact = pd.read_csv(impact_path, dtype={"Scenario": str, "Sensor": str})
    impact = impact.astype({"Scenario": object, "Sensor": object})
    scenario = pd.read_csv(scenario_path, dtype={"Scenario": str})
    scenario = scenario.astype({"Scenario": object})
    formulation = chama.optimize.ImpactFormulation()
    for count in counts:
        result = formulation.solve(
            impact=impact,
            sensor_budget=int(count),
            scenario=scenario,
            use_scenario_probability=True,
            mip_solver_name="appsi_highs",
        )
        print(json.dumps({
            "count": int(count),
            "objective": float(result["Objective"]),
            "sensors": sorted(str(s) for s in result["Sensors"]),
        }), flush=True)


if __name__ == "__main__":
    main()
