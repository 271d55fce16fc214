"""gunicorn settings for Ankomst (`gunicorn -c deploy/gunicorn.conf.py 'portal:create_app()'`)."""

import multiprocessing

bind = "127.0.0.1:8000"
# Two workers per core plus one, capped: the app is mostly CPU-bound template work.
workers = min(multiprocessing.cpu_count() * 2 + 1, 9)
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# The app writes one line per request itself, with its request id, as text or JSON
# (PORTAL_LOG_FORMAT; portal/logs/), so gunicorn's access log stays off. Turned on by hand, it
# keeps to the path without the query string (%(U)s) and redacts short-link tokens.
accesslog = None
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
logger_class = "portal.logs.access.RedactingLogger"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"


def post_fork(server, worker):
    """A forked worker must not share database connections with its parent."""
    app = getattr(worker, "wsgi", None)
    engine = getattr(app, "extensions", {}).get("db_engine") if app else None
    if engine is not None:
        engine.dispose(close=False)
