#!/bin/sh
# `make run`: gunicorn and, beside it, the task worker that sends the site's emails
# (`manage.py db_worker`). When gunicorn stops (Ctrl-C, a crash, a TERM to this script), the
# worker is stopped too, and this script exits with gunicorn's status.
set -u
BIN="${BIN:-.venv/bin}"

# The trap is set before either process starts, so a Ctrl-C or TERM that arrives while they
# start still stops both (a process not started yet has no pid, and ${x:+"$x"} is then nothing).
web=
worker=
trap 'kill ${web:+"$web"} ${worker:+"$worker"} 2>/dev/null
wait ${web:+"$web"} ${worker:+"$worker"} 2>/dev/null
exit 130' INT TERM

"$BIN/python" manage.py db_worker &
worker=$!
"$BIN/gunicorn" --config gunicorn.conf.py hartrehab.wsgi &
web=$!

wait "$web"
status=$?
kill "$worker" 2>/dev/null
wait "$worker" 2>/dev/null
exit "$status"
