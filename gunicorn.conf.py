"""gunicorn settings for every environment; each can be overridden from the environment."""

import os

from hartrehab import limits

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: one request per process. 2 per core + 1 is gunicorn's own rule of thumb.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Above the database limits (hartrehab/limits.py): a slow query ends with the site's 503 page,
# not with gunicorn killing the worker mid-answer.
timeout = limits.worker_timeout(int(os.environ.get("GUNICORN_TIMEOUT", "30")))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never take the site down.
max_requests = 10000
max_requests_jitter = 1000
# Import Django once in the master: a recycled worker is then a fork, ready in milliseconds,
# instead of a fresh import that leaves its queued requests waiting a second or more.
preload_app = True
# gunicorn 27 otherwise writes a control socket into the home folder.
control_socket_disable = True
# X-Forwarded-Proto and friends are believed only when the site itself trusts a proxy
# (DJANGO_SECURE_PROXY_SSL_HEADER), and then only from these addresses; otherwise from nobody,
# or a client could tell gunicorn its plain-HTTP request came over TLS.
proxy_trusted = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip().lower()
if proxy_trusted in {"1", "true", "yes", "on"}:
    forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
else:
    forwarded_allow_ips = ""
# Behind HAProxy with `send-proxy-v2` (deploy/haproxy.cfg): each connection starts with the
# patient's address, which becomes REMOTE_ADDR (the intake rate limit counts patients, not the
# proxy). Accepted only from the addresses listed; plain requests (health checks) still work.
proxy_protocol = os.environ.get("GUNICORN_PROXY_PROTOCOL", "off")
proxy_allow_ips = os.environ.get("GUNICORN_PROXY_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files; the image points this at /dev/shm (memory), as its file system may be slow
# or read-only.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None

# Off by default: Django's hartrehab.requestlog already writes one line per request, with its
# request id. If turned on: path only (%(U)s), never the query string, and no client address:
# a query string can carry what a patient typed, and addresses are not needed to run the site.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "") or None
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"


# Outcomes: each worker counts page views in memory; a timer thread writes them every
# OUTCOMES_FLUSH_SECONDS, and the rest is written when the worker stops gracefully (SIGTERM,
# max_requests), in the worker, once it has stopped taking requests. (gunicorn also calls
# worker_exit in the arbiter for a worker already gone; there the counts are empty.)
def post_worker_init(worker):
    from outcomes.counting import start_flusher

    start_flusher()


def worker_exit(server, worker):
    from outcomes.counting import shutdown

    shutdown()
