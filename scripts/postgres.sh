#!/usr/bin/env bash
# Starts a private PostgreSQL for the ops tests and prints the URL to use, e.g.
#   export DANJIANG_TEST_POSTGRES_URL="$(scripts/postgres.sh)"
# Installs Debian's postgresql if it is missing (apt-get, non-interactive), keeps its cluster in
# ${DANJIANG_PG_DIR:-/tmp/danjiang-postgres} listening on 127.0.0.1:${DANJIANG_PG_PORT:-54329} with
# trust authentication (local test use only), and creates the database danjiang_test.
# Safe to run again: an installed server, an existing cluster and a running server are reused.
# `scripts/postgres.sh stop` stops the server.
set -euo pipefail

dir="${DANJIANG_PG_DIR:-/tmp/danjiang-postgres}"
port="${DANJIANG_PG_PORT:-54329}"
database="danjiang_test"
log() { printf '%s\n' "$*" >&2; }

find_bin() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    printf '%s' "$found"
}

bin="$(find_bin)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    log "postgres.sh: installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
fi
[[ -x "$bin/pg_ctl" ]] || { log "postgres.sh: no pg_ctl found after installing postgresql"; exit 1; }

# The server refuses to run as root: run it as the postgres user (or the current user if not root).
if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
    as_owner() { runuser -u postgres -- "$@"; }
    owner=postgres
else
    as_owner() { "$@"; }
    owner="$(id -un)"
fi

if [[ "${1:-}" == "stop" ]]; then
    if [[ -f "$dir/data/postmaster.pid" ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2; fi
    exit 0
fi

mkdir -p "$dir"
chown "$owner" "$dir"
if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    log "postgres.sh: creating a cluster in $dir/data"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
        || as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >&2
fi

if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    log "postgres.sh: starting the server on 127.0.0.1:$port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >&2
fi

if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$database'" postgres | grep -q 1; then
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $database" postgres >&2
fi

# The ops tests make one database per test (danjiang_NAME_PID_N); clear those of earlier runs.
for old in $(as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'danjiang\\_%' AND datname <> '$database' AND datname <> 'danjiang_bench'" postgres); do
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "DROP DATABASE IF EXISTS $old" postgres >&2 || true
done

printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$port" "$database"
