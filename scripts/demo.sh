#!/usr/bin/env bash
# The main job: build Danjiang, load the Xuchang demo system into a fresh SQLite store, print its
# supply ledger, simulate the demo network, then serve the web application on the demo at
# http://127.0.0.1:8080 (log in as admin / danjiang-admin; Ctrl-C stops).
# DANJIANG_NO_SERVE=1 stops before serving.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-tools.sh
cargo build --release -p danjiang
bin="${CARGO_TARGET_DIR:-target}/release/danjiang"
mkdir -p target/demo
"$bin" check examples/xuchang/xuchang.inp
"$bin" run examples/xuchang/xuchang.inp target/demo/xuchang.rpt target/demo/xuchang.out
echo "report: target/demo/xuchang.rpt   results: target/demo/xuchang.out   store: target/demo/xuchang.db"
# Results of the runs started from the map page stay with the demo's other files.
export DANJIANG_DATA_DIR="${DANJIANG_DATA_DIR:-target/demo/runs}"
if [ "${DANJIANG_NO_SERVE:-}" = "1" ]; then
    "$bin" demo --db sqlite:target/demo/xuchang.db --no-serve
else
    "$bin" demo --db sqlite:target/demo/xuchang.db
fi
