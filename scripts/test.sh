#!/usr/bin/env bash
# The whole test suite: formatting, lints and every test of every crate.
# Installs what the tests need on a fresh machine of this kind; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
# Disk is the scarce resource on CI (a run once failed with PostgreSQL out of space): no
# incremental caches, and the free space is printed at the start and the end.
export CARGO_INCREMENTAL=0
disk() { df -h . /tmp | sed 's/^/    /'; }
step "free disk"
disk

step "cmake and a C++ compiler for HiGHS (scripts/build-tools.sh)"
scripts/build-tools.sh

step "cargo fmt --all --check"
cargo fmt --all --check

step "no import cycle between the web server's feature folders (scripts/server_cycles.py)"
python3 scripts/server_cycles.py >/dev/null || { python3 scripts/server_cycles.py; exit 1; }

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "PostgreSQL for the ops tests (scripts/postgres.sh)"
export DANJIANG_TEST_POSTGRES_URL="${DANJIANG_TEST_POSTGRES_URL:-$(scripts/postgres.sh)}"

step "EPANET 2.3.5 for the generated-network parity test (scripts/reference.sh --env)"
# The test runs EPANET on networks it generates (their outputs are too big to commit); it
# skips, saying so, when DANJIANG_RUNEPANET is not set, and fails on any difference when set.
epanet_env="$(scripts/reference.sh --env)"
while IFS='=' read -r key value; do
    case "$key" in
        RUNEPANET) export DANJIANG_RUNEPANET="$value" ;;
        EPANET_LIBS) export DANJIANG_EPANET_LIBS="$value" ;;
    esac
done <<<"$epanet_env"
[[ -n "${DANJIANG_RUNEPANET:-}" ]] || { echo "test.sh: scripts/reference.sh --env gave no RUNEPANET" >&2; exit 1; }

step "Chama 0.3 and HiGHS for the sensor placement comparison (.venv, PyPI)"
# The test compares `danjiang sensors place` with Chama's MILP on the same impact files.
.venv/bin/python -c "import chama, highspy" 2>/dev/null \
    || .venv/bin/pip install -q "chama==0.3.0" "highspy==1.16.0"
export DANJIANG_CHAMA_PYTHON="$PWD/.venv/bin/python"

step "Headless Chromium, chromedriver and CJK fonts for the web app's browser tests (Debian packages)"
# Without a CJK font Chromium draws the Chinese pages' text as empty boxes in the screenshots.
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null \
    || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    # Stale package lists on a fresh machine: refresh them once and try again.
    apt-get install -y chromium chromium-driver fonts-noto-cjk \
        || { apt-get update -qq && apt-get install -y chromium chromium-driver fonts-noto-cjk; }
fi

step "cargo test --workspace"
cargo test --workspace

step "generated 100,000-node network against EPANET 2.3.5 (crates/hydraulics/tests/generated_parity.rs)"
# Too big for the default run (10,000 nodes); the test binary is the one built above.
DANJIANG_GENERATED_NODES=100000 cargo test -p danjiang-hydraulics --test generated_parity -- --nocapture

step "free disk at the end"
disk
