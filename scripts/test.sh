#!/usr/bin/env bash
# The whole test suite: formatting, lints and every test of every crate.
# Installs what the tests need on a fresh machine of this kind; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "PostgreSQL for the ops tests (scripts/postgres.sh)"
export DANJIANG_TEST_POSTGRES_URL="${DANJIANG_TEST_POSTGRES_URL:-$(scripts/postgres.sh)}"

step "cargo test --workspace"
cargo test --workspace
