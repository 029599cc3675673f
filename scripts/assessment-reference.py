#!/usr/bin/env python3
"""Reference numbers for the trend tests of danjiang-assessment, computed independently with scipy
and pymannkendall.

Writes crates/assessment/tests/data/trend-reference.json: several (times, values) series with the
Mann-Kendall statistics (pymannkendall.original_test), Sen's slope and intercept
(scipy.stats.theilslopes against the real times) and Spearman's rho with its two-sided p-value
(scipy.stats.spearmanr). The series are fixed in this script, so re-running it reproduces the file.

Usage: scripts/assessment-reference.py        (makes its own venv under the temp folder if scipy or pymannkendall is missing)
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(tempfile.gettempdir(), "danjiang-reference-venv")
PACKAGES = ["scipy", "pymannkendall", "numpy"]


def ensure_packages():
    try:
        import scipy  # noqa: F401
        import pymannkendall  # noqa: F401
    except ImportError:
        python = os.path.join(VENV, "bin", "python")
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([python, "-m", "pip", "install", "-q", *PACKAGES])
        os.execv(python, [python, *sys.argv])


def series():
    """Fixed test series: monthly, yearly and irregular times; with ties, trends and no trend."""
    out = []
    # Monthly NH3N over two years, rising with noise (times in decimal years at mid-month).
    months = [2022 + (m + 0.5) / 12 for m in range(24)]
    noise = [0.03, -0.02, 0.01, 0.04, -0.05, 0.0, 0.02, -0.01, 0.03, -0.04, 0.05, -0.02,
             0.01, 0.0, -0.03, 0.02, 0.04, -0.01, -0.02, 0.03, 0.0, 0.01, -0.04, 0.02]
    out.append(("monthly rising NH3N", months, [round(0.20 + 0.01 * i + n, 4) for i, n in enumerate(noise)]))
    # Yearly CODMn, falling, with ties.
    years = [2010.5 + i for i in range(12)]
    out.append(("yearly falling CODMn with ties", years,
                [3.1, 3.0, 3.0, 2.9, 2.9, 2.9, 2.6, 2.7, 2.5, 2.5, 2.3, 2.4]))
    # No trend: a zig-zag.
    out.append(("zig-zag DO, no trend", [2020 + i / 4 for i in range(10)],
                [8.1, 7.6, 8.3, 7.4, 8.0, 7.7, 8.2, 7.5, 7.9, 7.8]))
    # Irregular sampling times, short series.
    out.append(("irregular TP", [2023.02, 2023.11, 2023.37, 2023.41, 2023.80, 2024.15],
                [0.031, 0.028, 0.040, 0.037, 0.052, 0.049]))
    return out


def main():
    ensure_packages()
    import numpy as np
    import pymannkendall as mk
    from scipy import stats

    cases = []
    for name, t, v in series():
        r = mk.original_test(np.array(v))
        slope, intercept, _, _ = stats.theilslopes(v, t)
        rho = stats.spearmanr(t, v)
        cases.append({
            "name": name,
            "times": t,
            "values": v,
            "mann_kendall": {"s": float(r.s), "variance": float(r.var_s), "z": float(r.z),
                             "p_value": float(r.p), "tau": float(r.Tau), "trend": r.trend},
            "sen": {"slope": float(slope), "intercept": float(intercept)},
            "spearman": {"rho": float(rho.statistic), "p_value": float(rho.pvalue)},
        })
    path = os.path.join(ROOT, "crates", "assessment", "tests", "data", "trend-reference.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({
            "generator": "scripts/assessment-reference.py",
            "libraries": {"scipy": __import__("scipy").__version__, "pymannkendall": mk.__version__},
            "cases": cases,
        }, f, indent=1)
        f.write("\n")
    print(f"wrote {path} ({len(cases)} series)")


if __name__ == "__main__":
    main()
