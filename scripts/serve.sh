#!/bin/sh
# `make run`: gunicorn and, beside it, the task worker that sends the site's emails
# (`manage.py db_worker`). When gunicorn stops (Ctrl-C, a crash), the worker is stopped too.
set -eu
BIN="${BIN:-.venv/bin}"

"$BIN/python" manage.py db_worker &
worker=$!
stop_worker() {
    kill "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

"$BIN/gunicorn" --config gunicorn.conf.py hartrehab.wsgi
