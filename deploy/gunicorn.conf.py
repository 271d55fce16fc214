"""gunicorn settings for Ankomst (`gunicorn -c deploy/gunicorn.conf.py 'portal:create_app()'`)."""

import multiprocessing

bind = "127.0.0.1:8000"
# Two workers per core plus one, capped: the app is mostly CPU-bound template work.
workers = min(multiprocessing.cpu_count() * 2 + 1, 9)
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# %(U)s is the path without the query string, so nothing private in a query reaches the log.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
accesslog = "-"
# Short links carry their private token in the path (/k/<token>): logged as /k/… instead.
logger_class = "portal.access_log.RedactingLogger"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"


def post_fork(server, worker):
    """A forked worker must not share database connections with its parent."""
    app = getattr(worker, "wsgi", None)
    engine = getattr(app, "extensions", {}).get("db_engine") if app else None
    if engine is not None:
        engine.dispose(close=False)
