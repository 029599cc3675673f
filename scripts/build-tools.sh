#!/usr/bin/env bash
# What building Danjiang needs besides the Rust toolchain: cmake, a C++ compiler and libclang, for the
# HiGHS solver (sensor placement), which the `highs` crate builds from source. Installed from
# Debian when missing; quiet when everything is there.
set -euo pipefail
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v c++ >/dev/null || missing+=(g++)
# bindgen, which writes the HiGHS bindings, loads libclang.
ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/*/libclang-[0-9]*.so* >/dev/null 2>&1 \
    || missing+=(libclang-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-tools.sh: installing ${missing[*]} (Debian packages) to build HiGHS" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" \
        || { apt-get update -qq && apt-get install -y -q "${missing[@]}"; }
fi
