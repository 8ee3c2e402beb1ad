"""gunicorn settings for Enlace (started by scripts/serve.sh; every value can be set by env).

ENLACE_BIND (default 127.0.0.1:5000; put the load balancer in front), ENLACE_WORKERS
(default 2 * cores + 1, capped at 5 for a 2-core host), ENLACE_THREADS (per worker, 1),
ENLACE_TIMEOUT (seconds a request may take before the worker is replaced),
ENLACE_INDEX_SYNC_INTERVAL (seconds between outbox polls; 0 disables the sync thread).
"""

import os

from matcher.web.observability import GunicornJsonLogger

bind = os.environ.get("ENLACE_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("ENLACE_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 5)))
# The app reads the count: with more than one worker its rate limits live in Redis
# (matcher.config.ratelimit_storage), never in each worker's memory.
os.environ["ENLACE_WORKERS"] = str(workers)
# One request per worker at a time: the search module shares one Whoosh searcher per
# process, and Whoosh's readers are not thread-safe (concurrent threads corrupt reads:
# "Block tag error", IndexError). Raise only once searches are thread-safe.
threads = int(os.environ.get("ENLACE_THREADS", "1"))
# The sync worker accepts a connection only when it can serve it, so a worker that is
# recycled (max_requests) never holds an accepted or kept-alive connection it then
# drops: the next worker takes it from the listen queue. gthread (threads > 1) keeps
# idle keep-alive connections, which are reset when their worker is recycled.
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("ENLACE_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so a slow leak can never take a host down; the jitter
# keeps workers from restarting together, and a recycled worker finishes what it
# accepted within graceful_timeout (ENLACE_MAX_REQUESTS, _JITTER, ENLACE_GRACEFUL_TIMEOUT).
max_requests = int(os.environ.get("ENLACE_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("ENLACE_MAX_REQUESTS_JITTER", max_requests // 10))
graceful_timeout = int(os.environ.get("ENLACE_GRACEFUL_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("ENLACE_LOG_LEVEL", "info")
logger_class = GunicornJsonLogger
# Trust X-Forwarded-* only from these proxies (loopback by default); the app reads the
# same list, with ENLACE_PROXY_COUNT, for the client address (matcher.web.proxies).
forwarded_allow_ips = os.environ.get("ENLACE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def post_worker_init(worker) -> None:
    """Each worker warms up, then polls the outbox; a per-host file lock lets one apply at
    a time."""
    from matcher.commands.ops import start_index_sync, warm_up

    warm_up(worker.wsgi)  # the worker accepts connections only after this returns
    start_index_sync(worker.wsgi, float(os.environ.get("ENLACE_INDEX_SYNC_INTERVAL", "0.5")))
