#!/usr/bin/env bash
# The main job: build Danjiang, load the Xuchang demo system into a fresh SQLite store,
# print its supply ledger, and simulate the demo network. (The web app will serve it once it exists.)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p danjiang
bin=target/release/danjiang
mkdir -p target/demo
"$bin" demo --db sqlite:target/demo/xuchang.db --no-serve
"$bin" ledger --db sqlite:target/demo/xuchang.db --by use --period all
"$bin" check examples/xuchang/xuchang.inp
"$bin" run examples/xuchang/xuchang.inp target/demo/xuchang.rpt target/demo/xuchang.out
echo "report: target/demo/xuchang.rpt   results: target/demo/xuchang.out   store: target/demo/xuchang.db"
