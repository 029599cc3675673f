#!/usr/bin/env bash
# Makes the EPANET 2.3.5 reference results that the parity tests compare against.
#
#   scripts/reference.sh                 every .inp in tests/networks/public and tests/networks/features,
#                                        except those listed in tests/networks/reference/SKIP
#   scripts/reference.sh NAME|PATH ...   just these (a name is looked up in public/, then features/);
#                                        listed networks are run even if SKIP names them
#   scripts/reference.sh --env           only set up EPANET; print RUNEPANET=... and EPANET_LIBS=...
#
# For each network NAME it writes NAME.out.gz (EPANET's binary output) and NAME.rpt.gz (its report)
# into tests/networks/reference/, or into tests/networks/reference/large/ (not committed) when the
# compressed output is bigger than REFERENCE_MAX_BYTES (default 10000000). Networks EPANET rejects
# keep only their report. MANIFEST.tsv records, per network, the SHA-256 of the input it was made
# from, so a second run redoes only what changed (FORCE=1 redoes everything).
#
# EPANET comes from PyPI (owa-epanet==2.3.5) in the virtual environment .venv at the repository
# root, made here if missing. Quiet on success; any failure stops the script with a message.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NETWORKS="$ROOT/tests/networks"
REFERENCE="$NETWORKS/reference"
LARGE="$REFERENCE/large"
MANIFEST="$REFERENCE/MANIFEST.tsv"
SKIP_FILE="$REFERENCE/SKIP"
REJECTS_FILE="$NETWORKS/public/EPANET-REJECTS.txt"
MAX_BYTES="${REFERENCE_MAX_BYTES:-10000000}"
TIMEOUT="${REFERENCE_TIMEOUT:-1800}"
EPANET_VERSION="2.3.5"

fail() {
    echo "reference.sh: $*" >&2
    exit 1
}

# Installs owa-epanet into .venv when it is not there yet; sets RUNEPANET and EPANET_LIBS.
setup_epanet() {
    local venv="$ROOT/.venv"
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" || fail "cannot create the virtual environment $venv"
    fi
    if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('owa-epanet') != '$EPANET_VERSION')" 2>/dev/null; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "owa-epanet==$EPANET_VERSION" \
            || fail "pip could not install owa-epanet==$EPANET_VERSION into $venv"
    fi
    # The wheel puts runepanet at the root of the environment (its RECORD says ../../../runepanet).
    RUNEPANET=""
    for candidate in "$venv/runepanet" "$venv/bin/runepanet"; do
        if [[ -x "$candidate" ]]; then
            RUNEPANET="$candidate"
            break
        fi
    done
    [[ -n "$RUNEPANET" ]] || fail "owa-epanet is installed in $venv but runepanet was not found"
    EPANET_LIBS="$(echo "$venv"/lib/python3*/site-packages/owa_epanet.libs)"
    [[ -d "$EPANET_LIBS" ]] || fail "owa_epanet.libs not found under $venv/lib"
}

# The .inp path for a network name or path given on the command line.
resolve() {
    local arg="$1"
    if [[ -f "$arg" ]]; then
        echo "$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")"
        return
    fi
    local name="${arg%.inp}"
    for dir in public features; do
        if [[ -f "$NETWORKS/$dir/$name.inp" ]]; then
            echo "$NETWORKS/$dir/$name.inp"
            return
        fi
    done
    fail "no network '$arg' in tests/networks/public or tests/networks/features"
}

is_skipped() {
    [[ -f "$SKIP_FILE" ]] && grep -q -E "^$1([[:space:]]|$)" "$SKIP_FILE"
}

is_known_reject() {
    [[ -f "$REJECTS_FILE" ]] && grep -q -F "$1.inp:" "$REJECTS_FILE"
}

manifest_hash() {
    [[ -f "$MANIFEST" ]] || return 0
    awk -F'\t' -v n="$1" '$1 == n { print $3 }' "$MANIFEST"
}

# Replaces (or adds) the manifest line of one network, keeping the file sorted by name.
manifest_put() {
    local name="$1" line="$2" tmp
    tmp="$(mktemp)"
    {
        echo -e "# name\tinput\tinput_sha256\tepanet_exit\tout_gz_bytes\twhere"
        if [[ -f "$MANIFEST" ]]; then
            grep -v '^#' "$MANIFEST" | awk -F'\t' -v n="$name" '$1 != n'
        fi
        echo -e "$line"
    } | { read -r header; echo "$header"; sort; } >"$tmp"
    mv "$tmp" "$MANIFEST"
}

# Runs EPANET on one network and stores its results. Returns 1 on an unexpected failure.
make_reference() {
    local inp="$1" name hash work code where out_bytes
    name="$(basename "$inp" .inp)"
    hash="$(sha256sum "$inp" | cut -d' ' -f1)"
    if [[ "${FORCE:-0}" != 1 && "$(manifest_hash "$name")" == "$hash" ]] \
        && { [[ -f "$REFERENCE/$name.rpt.gz" ]] || [[ -f "$LARGE/$name.rpt.gz" ]]; }; then
        return 0
    fi
    work="$(mktemp -d)"
    code=0
    LD_LIBRARY_PATH="$EPANET_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        timeout "$TIMEOUT" "$RUNEPANET" "$inp" "$work/$name.rpt" "$work/$name.out" >"$work/stdout" 2>&1 \
        || code=$?
    if [[ $code -eq 124 ]]; then
        rm -rf "$work"
        echo "reference.sh: $name: EPANET did not finish within $TIMEOUT s (REFERENCE_TIMEOUT)" >&2
        return 1
    fi
    if [[ ! -s "$work/$name.rpt" ]]; then
        echo "reference.sh: $name: EPANET wrote no report (exit $code):" >&2
        tail -n 5 "$work/stdout" >&2
        rm -rf "$work"
        return 1
    fi
    if [[ $code -ne 0 ]]; then
        # An input EPANET refuses: its report (with the errors) is the reference.
        if ! grep -q -E "Error 2[0-9][0-9]" "$work/$name.rpt"; then
            echo "reference.sh: $name: EPANET failed (exit $code) without an input error:" >&2
            grep -i -m 5 "error" "$work/$name.rpt" >&2 || true
            rm -rf "$work"
            return 1
        fi
        if [[ "$inp" == "$NETWORKS/public/"* ]] && ! is_known_reject "$name"; then
            echo "reference.sh: $name: EPANET rejects it but public/EPANET-REJECTS.txt does not list it:" >&2
            grep -m 3 "Error" "$work/$name.rpt" >&2 || true
            rm -rf "$work"
            return 1
        fi
        rm -f "$work/$name.out"
    fi
    rm -f "$REFERENCE/$name.out.gz" "$REFERENCE/$name.rpt.gz" "$LARGE/$name.out.gz" "$LARGE/$name.rpt.gz"
    where="committed"
    out_bytes=0
    if [[ -s "$work/$name.out" ]]; then
        gzip -n -c "$work/$name.out" >"$work/$name.out.gz"
        out_bytes="$(stat -c %s "$work/$name.out.gz")"
        if ((out_bytes > MAX_BYTES)); then
            where="large"
        fi
    fi
    gzip -n -c "$work/$name.rpt" >"$work/$name.rpt.gz"
    local dest="$REFERENCE"
    [[ "$where" == "large" ]] && dest="$LARGE"
    mkdir -p "$dest"
    [[ -f "$work/$name.out.gz" ]] && mv "$work/$name.out.gz" "$dest/"
    mv "$work/$name.rpt.gz" "$dest/"
    rm -rf "$work"
    manifest_put "$name" "$name\t${inp#"$ROOT/"}\t$hash\t$code\t$out_bytes\t$where"
}

main() {
    setup_epanet
    if [[ "${1:-}" == "--env" ]]; then
        echo "RUNEPANET=$RUNEPANET"
        echo "EPANET_LIBS=$EPANET_LIBS"
        return 0
    fi
    mkdir -p "$REFERENCE" "$LARGE"
    # Large references are made on demand (by this script) and never committed.
    [[ -f "$LARGE/.gitignore" ]] || printf '*\n!.gitignore\n' >"$LARGE/.gitignore"

    local inputs=()
    if (($# > 0)); then
        for arg in "$@"; do
            inputs+=("$(resolve "$arg")")
        done
    else
        local seen=" " name
        for inp in "$NETWORKS"/public/*.inp "$NETWORKS"/features/*.inp; do
            [[ -f "$inp" ]] || continue
            name="$(basename "$inp" .inp)"
            is_skipped "$name" && continue
            [[ "$seen" == *" $name "* ]] && fail "two networks are named $name (public/ and features/)"
            seen+="$name "
            inputs+=("$inp")
        done
    fi

    local failed=()
    for inp in "${inputs[@]}"; do
        make_reference "$inp" || failed+=("$(basename "$inp" .inp)")
    done
    if ((${#failed[@]} > 0)); then
        fail "no reference for: ${failed[*]}"
    fi
}

main "$@"
