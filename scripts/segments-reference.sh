#!/usr/bin/env bash
# Makes the WNTR reference segments for crates/scenarios (see segments-reference.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -c "import wntr, six" 2>/dev/null || .venv/bin/pip install -q "wntr==1.5.0" six
exec .venv/bin/python scripts/segments-reference.py
