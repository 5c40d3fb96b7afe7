#!/usr/bin/env bash
# `status` or `stop` for the shared test Postgres cluster (TestPostgres: .wloadctl/test-pg, or
# WL_TEST_PG_DIR) without needing wloadctl, so `make test` can stop the cluster the tests started.
#   status: exits 0 when the cluster runs.
#   stop:   fast shutdown when it runs; never fails (a cluster already gone is fine).
set -uo pipefail

command="${1:-}"
directory="${WL_TEST_PG_DIR:-.wloadctl/test-pg}"
data="$directory/data"
pg_ctl="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)"
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)

running() {
  [ -f "$data/PG_VERSION" ] && [ -n "$pg_ctl" ] \
    && "${as_postgres[@]}" "$pg_ctl" status -D "$data" >/dev/null 2>&1
}

case "$command" in
  status)
    running
    ;;
  stop)
    if running; then
      if "${as_postgres[@]}" "$pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null 2>&1; then
        echo "stopped the test Postgres cluster ($directory)"
      else
        echo "warning: could not stop the test Postgres cluster in $directory" >&2
      fi
    fi
    exit 0
    ;;
  *)
    echo "usage: $0 status|stop" >&2
    exit 2
    ;;
esac
