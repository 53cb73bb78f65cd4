#!/usr/bin/env bash
# The load test: gunicorn (4 workers, production settings, DEBUG off) on 127.0.0.1 against the database
# bench/load/prepare.py built, and Locust headless with the users of bench/load/locustfile.py.
#
#   bench/load/run.sh [USERS=200] [SPAWN_RATE=20] [DURATION=10m] [LOCUST_PROCESSES=1]
#   e.g. bench/load/run.sh 40 10 2m
#
# Writes bench/results/load-<time>/: Locust's CSV statistics (stats.csv, failures, history), uptime before
# and after, the database size, the gunicorn processes' RSS sampled every 10 s, the server's error log.
# Stops gunicorn and Locust at the end (also on Ctrl+C). Environment: LOAD_DB (fanpin_load), LOAD_PORT
# (8608), FANPIN_HOME (/tmp/fanpin-load), LOAD_PG (postgres://postgres@127.0.0.1:55432).
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-200}
SPAWN_RATE=${2:-20}
DURATION=${3:-10m}
PROCESSES=${4:-${LOCUST_PROCESSES:-1}}
PORT=${LOAD_PORT:-8608}
DB=${LOAD_DB:-fanpin_load}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:55432}
export FANPIN_HOME=${FANPIN_HOME:-/tmp/fanpin-load}
export DATABASE_URL="$PG/$DB"
export DJANGO_SETTINGS_MODULE=settings_load
export PYTHONPATH="$PWD/bench/load${PYTHONPATH:+:$PYTHONPATH}"
export FANPIN_SECRET_KEY=${FANPIN_SECRET_KEY:-load-test-secret-key-only-for-the-loopback-benchmark-0123456789}
export LOAD_ACCOUNTS="$FANPIN_HOME/accounts.json"
OUT=${LOAD_OUT:-bench/results/load-$(date -u +%Y%m%dT%H%M%S)}
export LOAD_OUT="$OUT"
mkdir -p "$OUT"
PY=.venv/bin/python

# static files with the production storage (hashed names, compressed): once, it takes minutes
[ -f "$FANPIN_HOME/static/staticfiles.json" ] || $PY -m fanpin.cli collectstatic --noinput --verbosity 0

# gunicorn as `fanpin serve --workers 4` runs it (gthread, 4 threads per worker, 120 s timeout), access
# log to a file; no job worker (nothing in the run queues jobs). Keep-alive 30 s instead of gunicorn's 2 s:
# in production a proxy (nginx) holds the clients' connections; here Locust connects directly, and with
# 2 s a client reusing a connection the server is just closing gets a connection error (requests, unlike
# a browser, does not retry).
$PY -m gunicorn fanpin.wsgi:application --bind "127.0.0.1:$PORT" --workers 4 --threads 4 --timeout 120 \
  --keep-alive 30 --access-logfile "$OUT/access.log" --error-logfile "$OUT/server.log" --pid "$OUT/gunicorn.pid" &
SERVER=$!
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 60); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break
  sleep 1
done

# every 10 s: the summed RSS (MB) of the gunicorn master and workers, and the 1-minute load
(
  while sleep 10; do
    pids=$(pgrep -P "$SERVER" | paste -sd, - || true)
    rss=$(ps -o rss= -p "$SERVER${pids:+,$pids}" 2>/dev/null | awk '{s+=$1} END {printf "%.0f", s/1024}' || true)
    echo "$(date -u +%H:%M:%S) rss_mb=$rss workers=$(echo "$pids" | tr ',' '\n' | grep -c . || true) load=$(cut -d' ' -f1 /proc/loadavg)"
  done
) > "$OUT/rss.log" &
SAMPLER=$!

psql "$PG/$DB" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))" > "$OUT/db_size.txt"
psql "$PG/$DB" -Atc "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC LIMIT 15" >> "$OUT/db_size.txt"
cpu_of() { awk -v t="$(getconf CLK_TCK)" '{s+=($14+$15)/t} END {printf "%.1f", s}' "$@" 2>/dev/null || echo 0; }
gunicorn_cpu() { cpu_of $(for p in $SERVER $(pgrep -P "$SERVER" || true); do echo /proc/$p/stat; done); }
GUNICORN_CPU_START=$(gunicorn_cpu)  # start-up (imports, the first curl) excluded below
{ echo "before: $(uptime)"; nproc; } > "$OUT/uptime.txt"
echo "load test: $USERS users, spawn $SPAWN_RATE/s, $DURATION, Locust processes $PROCESSES -> $OUT"
LOCUST_ARGS=(-f bench/load/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION"
  --host "http://127.0.0.1:$PORT" --csv "$OUT/stats" --csv-full-history --stop-timeout 10)
if [ "$PROCESSES" != "1" ]; then LOCUST_ARGS+=(--processes "$PROCESSES"); fi
# Locust's own CPU time is printed at the end (it shares the 2 cores with the server)
/usr/bin/time -v .venv/bin/locust "${LOCUST_ARGS[@]}" 2> >(tee "$OUT/locust.log" >&2) || true
echo "after: $(uptime)" >> "$OUT/uptime.txt"
# CPU seconds used by the server side since it started: gunicorn (master + workers) and the PostgreSQL
# backends connected to the database (persistent connections, CONN_MAX_AGE 60)
ppids=$(psql "$PG/$DB" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" | paste -sd' ' - || true)
{
  echo "gunicorn_cpu_s=$(awk -v a="$(gunicorn_cpu)" -v b="$GUNICORN_CPU_START" 'BEGIN {printf "%.1f", a-b}') (during the Locust run, sign-ins included)"
  echo "postgres_backends=$(echo $ppids | wc -w) postgres_cpu_s=$(cpu_of $(for p in $ppids; do echo /proc/$p/stat; done))"
} > "$OUT/server_cpu.txt"
cat "$OUT/server_cpu.txt"
# the server's CPU time and memory at the end (master and workers)
ps -o pid,rss,cputime,args -p "$SERVER" --ppid "$SERVER" > "$OUT/server_ps.txt" || true
cat "$OUT/uptime.txt"
tail -3 "$OUT/rss.log"
echo "results in $OUT"
