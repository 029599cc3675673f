#!/usr/bin/env bash
# The main job: build Danjiang and run it on the Xuchang demo system.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p danjiang
exec target/release/danjiang --help
