"""Booking benchmark (`make bench-booking`): the times page and booking POSTs under concurrent load,
on SQLite and on PostgreSQL, each behind gunicorn with several workers. Prints requests/s, p50 and
p99 of each, and the number of overbooked slots afterwards, which must be zero.

PostgreSQL: PORTAL_BENCH_POSTGRES_URL (default: the local test database, whose tables are dropped).
Rate limits are off for this run only (every request comes from 127.0.0.1).
"""

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    free_port,
    percentile,
    portal_cli,
    request,
    reset_postgresql,
    start_gunicorn,
)

POSTGRES = os.environ.get(
    "PORTAL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


def _cookie(headers) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


def _book_loop(port, paths, token_page, seconds, worker, queue):
    """POST bookings at the target slots with one session and CSRF token per client (fetched from a
    slot that stays free): 302 is a booking, 200 the friendly "just taken" page."""
    status, headers, html = request(port, "GET", token_page)
    match = CSRF.search(html)
    if status != 200 or not match:
        queue.put(([], 0, 0, 1))
        return
    token, cookie = match.group(1).decode(), _cookie(headers)
    latencies, booked, refused, errors, attempt = [], 0, 0, 0, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        attempt += 1
        form = {"csrf_token": token, "name": "Bench Person",
                "phone": f"+4791{worker:02d}{attempt:04d}"[:11], "email": "", "people": "1",
                "language": "nb", "interpreter_needed": "no", "interpreter_language": "",
                "interpreter_dialect": "", "note": ""}  # fmt: skip
        start = time.perf_counter()
        status, _, _ = request(port, "POST", paths[attempt % len(paths)], urlencode(form), {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})  # fmt: skip
        latencies.append(time.perf_counter() - start)
        booked += status == 302
        refused += status == 200
        errors += status not in (200, 302)
    queue.put((latencies, booked, refused, errors))


def _get_loop(port, path, seconds, _worker, queue):
    latencies, errors = [], 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        status, _, _ = request(port, "GET", path)
        latencies.append(time.perf_counter() - start)
        errors += status != 200
    queue.put((latencies, 0, 0, errors))


def run(target, args_for, clients, seconds):
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=target, args=(*args_for, n, queue)) for n in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for r in results for x in r[0])
    return {
        "rps": len(latencies) / seconds, "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000, "booked": sum(r[1] for r in results),
        "refused": sum(r[2] for r in results), "errors": sum(r[3] for r in results),
    }  # fmt: skip


def overbooked(database_url: str, desks: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT starts_at, count(*) FROM booking WHERE status = 'active' GROUP BY starts_at"
        )).all()  # fmt: skip
    engine.dispose()
    return sum(max(0, count - desks) for _, count in rows)


def bench(name, database_url, args) -> int:
    reset_postgresql(database_url)
    env = {"PORTAL_DATABASE_URL": database_url, "PORTAL_RATELIMIT_ENABLED": "0",
           "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnop",
           "PORTAL_LOG_LEVEL": "WARNING"}  # fmt: skip
    portal_cli(env, "db", "upgrade")
    port = free_port()
    server = start_gunicorn("portal:create_app()", port, args.workers, env)
    try:
        _, _, days = request(port, "GET", "/nb/book/general/")
        day = re.search(rb'href="/nb/book/general/([\d-]+)/"', days).group(1).decode()
        times_path = f"/nb/book/general/{day}/"
        _, _, times = request(port, "GET", times_path)
        offered = re.findall(rf'href="(/nb/book/general/{day}/\d{{4}})"'.encode(), times)
        slots, token_page = [s.decode() for s in offered[: args.slots]], offered[-1].decode()
        pages = run(_get_loop, (port, times_path, args.seconds), args.clients, args.seconds)
        posts = run(_book_loop, (port, slots, token_page, args.seconds), args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait()
    over = overbooked(database_url, 2)
    print(
        f"{name}: {args.workers} gunicorn workers, {args.clients} clients, {args.seconds:.0f} s each"
    )
    print(
        f"  times page   {pages['rps']:7.0f} req/s  p50 {pages['p50']:6.1f} ms  p99 {pages['p99']:6.1f} ms  errors {pages['errors']}"
    )
    print(
        f"  booking POST {posts['rps']:7.0f} req/s  p50 {posts['p50']:6.1f} ms  p99 {posts['p99']:6.1f} ms  errors {posts['errors']}"
    )
    print(
        f"  {len(slots)} slots x 2 desks: {posts['booked']} booked, {posts['refused']} told 'just taken'; overbooked slots: {over}"
    )
    return over + posts["errors"] + pages["errors"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--slots", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ankomst-bench-booking-"))
    problems = bench("SQLite", f"sqlite:///{folder / 'portal.db'}", args)
    problems += bench("PostgreSQL", POSTGRES, args)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
