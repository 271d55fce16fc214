"""Mixed-load benchmark (`make bench`): the portal's traffic at a fixed arrival rate, against
gunicorn set up as in production (deploy/gunicorn.conf.py: workers from the core count; the app's
request log on, into a file in the run's folder), on SQLite and on PostgreSQL. Prints requests/s,
p50, p95, p99 and errors, overall and per kind, then steps the rate up to find the ceiling.
Target: at 50 requests/s, p99 under 300 ms and no errors.

The mix, in visits out of 91 (requests per visit in brackets):
  60  an information page in one of twelve languages, five of them right to left (1)
  15  booking slot pages: the topics, a topic's days, a day's times (3)
   5  a booking: the details form (for its CSRF token), then the POST (2; 1 if the slot is gone)
   1  a family registration: the first step, seven step POSTs, check, submit, receipt (11)
  10  the staff queue, logged in, one of five filters, over 5,000 cases (1)
so about 44% of requests are information pages, 33% slot pages, 7% booking, 8% registration and
7% queue. Each request of a visit is timed and counted on its own: the first from the visit's
scheduled time, the next from the previous response. "Slot taken" (the form or the POST says someone
got there first) is a normal outcome, counted apart; an error is any other status, a 5xx, or a
connection failure. Desks are freed before every run, so runs start alike.
Open loop: visits start on a fixed schedule whatever the responses do (a thread each, from a large
pool), so queueing shows in the latency instead of slowing the load (no coordinated omission).
Baseline: bench/bare_app.py (an information page's bytes from a bare Flask app) under the same
config and pacing; read the portal's figures as ratios to it, since the machine is shared. The CPU
time gunicorn's workers spend per request (PostgreSQL's own not counted) is printed too: other load
on the machine disturbs it far less than it disturbs latency.
PostgreSQL: PORTAL_BENCH_POSTGRES_URL (default: the local test database, whose tables are dropped).
Rate limits are off for these runs only (all the load comes from 127.0.0.1).
"""

import argparse
import itertools
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.booking import POSTGRES  # noqa: E402
from bench.common import (  # noqa: E402
    GUNICORN_CONFIG,
    cpu_seconds,
    create_staff,
    csrf_token,
    free_port,
    latency_stats,
    open_loop,
    portal_cli,
    production_workers,
    request,
    reset_postgresql,
    staff_login,
    start_gunicorn,
)
from bench.staff_queue import PASSWORD, seed  # noqa: E402
from tests.registration_data import STEPS  # noqa: E402

TARGET_P99_MS = 300
CEILING_RATES = (50, 75, 100, 150, 200, 250, 300, 400, 500)
CASES = 5_000
STAFF_EMAIL = "bench.mixed@example.org"
INFO_PATHS = ("/nb/", "/ar/introduction-programme", "/uk/family-reunification", "/fa-af/settlement",
              "/en/contact", "/so/", "/ti/self-settlement", "/ckb/privacy", "/ru/",
              "/fa/introduction-programme", "/ps/family-reunification", "/ku/contact")  # fmt: skip
LANGUAGES = ("nb", "uk", "ar", "ti", "fa-af", "en")
QUEUE_FILTERS = ("", "?status=all&sort=newest", "?overdue=y", "?interpreter=y&language=ar",
                 "?search=ahmadi")  # fmt: skip
BOOKING_FORM = {"name": "Bench Person", "email": "", "people": "1", "language": "nb",
                "interpreter_needed": "no", "interpreter_language": "", "interpreter_dialect": "",
                "note": ""}  # fmt: skip
ENV = {"PORTAL_RATELIMIT_ENABLED": "0", "PORTAL_STAFF_TOTP_REQUIRED": "false",
       "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnop"}  # fmt: skip
PHONES = itertools.count()  # a new phone number per booking: at most two bookings per number


@dataclass
class Site:
    """What visits choose from: booking topics, open days, free (day, hhmm) slots, staff logins."""

    port: int
    pid: int  # gunicorn's master
    topics: list = field(default_factory=list)
    days: list = field(default_factory=list)
    slots: list = field(default_factory=list)
    staff: list = field(default_factory=list)


def information(visit):
    visit.call("information", "GET", visit.rng.choice(INFO_PATHS))


def slot_pages(visit):
    lang, topic = visit.rng.choice(LANGUAGES), visit.rng.choice(visit.site.topics)
    visit.call("slots", "GET", f"/{lang}/book/")
    visit.call("slots", "GET", f"/{lang}/book/{topic}/")
    visit.call("slots", "GET", f"/{lang}/book/{topic}/{visit.rng.choice(visit.site.days)}/")


def booking(visit):
    """The form redirects when the slot is gone; the POST answers 200 "just taken" when someone
    booked it in between (a refusal has no error-summary-title, a form error has)."""
    day, hhmm = visit.rng.choice(visit.site.slots)
    path = f"/nb/book/general/{day}/{hhmm}"
    status, page = visit.call("booking", "GET", path, expect=(200, 302))
    if status == 302:
        visit.tally.outcomes.append("taken")
        return
    form = {**BOOKING_FORM, "csrf_token": csrf_token(page), "phone": f"+479{next(PHONES):07d}"}
    status, _ = visit.call("booking", "POST", path, form, (200, 302), b"error-summary-title")
    visit.tally.outcomes.append("booked" if status == 302 else "taken")


def registration(visit):
    base = f"/{visit.rng.choice(('nb', 'uk', 'ar'))}/family-registration"
    _, page = visit.call("registration", "GET", f"{base}/eligibility")
    token = csrf_token(page)
    for step, answers in STEPS.items():
        visit.call("registration", "POST", f"{base}/{step}", {**answers, "csrf_token": token},
                   expect=(302,))  # fmt: skip
    visit.call("registration", "GET", f"{base}/check")
    visit.call("registration", "POST", f"{base}/submit", {"confirm": "y", "csrf_token": token},
               expect=(302,))  # fmt: skip
    visit.call("registration", "GET", f"{base}/receipt")


def staff_queue(visit):
    visit.session = visit.rng.choice(visit.site.staff)
    visit.call("queue", "GET", "/staff/cases/" + visit.rng.choice(QUEUE_FILTERS))


def bare_page(visit):
    visit.call("bare", "GET", "/ar/introduction-programme")


# (action, visits out of 91, requests per visit)
MIX = ((information, 60, 1), (slot_pages, 15, 3), (booking, 5, 2), (registration, 1, 11),
       (staff_queue, 10, 1))  # fmt: skip


def paced(site, rate, seconds, mix=MIX) -> dict:
    """One open-loop run, with the CPU time the server (gunicorn and its workers) spent on it."""
    cpu_before = cpu_seconds(site.pid)
    result = summarise(*open_loop(site, mix, rate, seconds), rate)
    result["cpu_ms"] = (cpu_seconds(site.pid) - cpu_before) * 1000 / max(result["count"], 1)
    return result


def summarise(tally, elapsed, rate) -> dict:
    kinds = sorted({kind for kind, _, _ in tally.requests})
    result = {**latency_stats(tally.requests), "offered": rate, "elapsed": elapsed,
              "kinds": {k: latency_stats([r for r in tally.requests if r[0] == k]) for k in kinds},
              "booked": tally.outcomes.count("booked"), "taken": tally.outcomes.count("taken"),
              "problems": sorted(set(tally.problems))}  # fmt: skip
    result["rps"] = result["count"] / elapsed
    result["met"] = (result["p99"] < TARGET_P99_MS and not result["errors"]
                     and result["rps"] >= 0.95 * rate)  # fmt: skip
    return result


def line(label, stats, baseline=None) -> str:
    text = (f"{label:<13}{stats['count']:6d} req  p50 {stats['p50']:6.1f}  p95 {stats['p95']:6.1f}"
            f"  p99 {stats['p99']:6.1f} ms  errors {stats['errors']}")  # fmt: skip
    if baseline:
        text += (f"  ({stats['p50'] / baseline['p50']:.1f}x / {stats['p99'] / baseline['p99']:.1f}x"
                 " baseline p50 / p99)")  # fmt: skip
    return text


def discover(port, pid) -> Site:
    """The topics, open days and free slots the booking visits choose from."""
    site = Site(port, pid)
    _, _, topics = request(port, "GET", "/nb/book/")
    site.topics = [t.decode() for t in re.findall(rb'href="/nb/book/(\w+)/"', topics)]
    _, _, days = request(port, "GET", "/nb/book/general/")
    site.days = [d.decode() for d in re.findall(rb'href="/nb/book/general/([\d-]+)/"', days)]
    for day in site.days:
        _, _, times = request(port, "GET", f"/nb/book/general/{day}/")
        found = re.findall(rf'href="/nb/book/general/{day}/(\d{{4}})"'.encode(), times)
        site.slots += [(day, hhmm.decode()) for hhmm in found]
    return site


def free_desks(database_url: str) -> None:
    """Cancel every booking so each run finds the same free slots."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM desk_reservation"))
        connection.execute(text("UPDATE booking SET status = 'cancelled'"))
    engine.dispose()


def serve(app_spec, env, folder, name) -> tuple:
    """gunicorn with the production config; what it and the app log goes to folder/name.log."""
    port = free_port()
    return port, start_gunicorn(app_spec, port, None, env, GUNICORN_CONFIG, folder / f"{name}.log")


def measure_baseline(portal_port, rate, folder) -> dict:
    """The bare app under the same config and pacing, ten seconds, after a short warm-up."""
    template = folder / "page.html"
    template.write_bytes(request(portal_port, "GET", "/ar/introduction-programme")[2])
    port, server = serve("bench.bare_app:create_app()", {"BENCH_TEMPLATE": str(template)},
                         folder, "bare")  # fmt: skip
    try:
        paced(Site(port, server.pid), rate, 2, ((bare_page, 1, 1),))
        return paced(Site(port, server.pid), rate, 10, ((bare_page, 1, 1),))
    finally:
        server.terminate()
        server.wait()


def report(result, baseline, log) -> None:
    print(f"  offered {result['offered']} req/s, achieved {result['rps']:.1f} req/s; gunicorn CPU "
          f"{result['cpu_ms']:.1f} ms per request ({result['cpu_ms'] / baseline['cpu_ms']:.1f}x "
          f"baseline), {result['cpu_ms'] * result['rps'] / 10:.0f}% of a core")  # fmt: skip
    print("  " + line("all", result, baseline))
    for kind, stats in result["kinds"].items():
        print("    " + line(kind, stats))
    print(f"  bookings: {result['booked']} booked, {result['taken']} found the slot taken")
    for problem in result["problems"][:5]:
        print(f"  ! {problem}  (the server's log: {log})")
    verdict = "met" if result["met"] else "MISSED"
    print(f"  target (p99 < {TARGET_P99_MS} ms, no errors, >= 95% of offered): {verdict}")


def ceiling(site, database_url) -> None:
    """Step the rate up, 15 s a step, until a step misses the target."""
    best = None
    for rate in CEILING_RATES:
        free_desks(database_url)
        step = paced(site, rate, 15)
        print(f"  ceiling step {rate:4d}/s: achieved {step['rps']:6.1f}/s  p50 {step['p50']:6.1f}"
              f"  p99 {step['p99']:7.1f} ms  errors {step['errors']}  CPU {step['cpu_ms']:4.1f} ms/req"
              f"{'' if step['met'] else '  MISSED'}")  # fmt: skip
        if not step["met"]:
            break
        best = rate
    print(f"  ceiling: {f'{best} req/s' if best else f'below {CEILING_RATES[0]} req/s'}")


def bench(name, database_url, args, folder) -> bool:
    """Prepare a database, serve it, measure; True when the target is met."""
    try:
        reset_postgresql(database_url)
    except Exception as error:  # noqa: BLE001 - any failure to connect
        print(f"{name}: skipped, the database is not reachable: {str(error).splitlines()[0]}\n")
        return True
    env = {**ENV, "PORTAL_DATABASE_URL": database_url}
    portal_cli(env, "db", "upgrade")
    seed(database_url, CASES)
    portal_cli(env, "db", "upgrade")  # at head already; refreshes the planner's statistics
    create_staff(env, STAFF_EMAIL, PASSWORD, "caseworker", ["settlement", "introduction"])
    port, server = serve("portal:create_app()", env, folder, name)
    try:
        site = discover(port, server.pid)
        site.staff = [staff_login(port, STAFF_EMAIL, PASSWORD) for _ in range(3)]
        baseline = measure_baseline(port, args.rate, folder)
        paced(site, args.rate, 3)  # warm-up: every worker loads its templates and page cache
        free_desks(database_url)
        load_before = os.getloadavg()[0]  # the machine is shared: was something else running?
        result = paced(site, args.rate, args.seconds)
        print(f"{name}: {production_workers()} gunicorn workers (deploy/gunicorn.conf.py), "
              f"{CASES} cases, {len(site.slots)} slots, {args.seconds:.0f} s at {args.rate}/s; "
              f"load average before: {load_before:.1f}")  # fmt: skip
        print("  " + line("baseline", baseline) + f"  CPU {baseline['cpu_ms']:.1f} ms/req"
              " (bare Flask, same workers and pacing)")  # fmt: skip
        report(result, baseline, folder / f"{name}.log")
        if not args.no_ceiling:
            ceiling(site, database_url)
    finally:
        server.terminate()
        server.wait()
    print()
    return result["met"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50, help="requests per second offered")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--no-ceiling", action="store_true", help="skip the ceiling search")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ankomst-bench-mixed-"))
    met = True
    if args.database in ("sqlite", "both"):
        met &= bench("SQLite", f"sqlite:///{folder / 'portal.db'}", args, folder)
    if args.database in ("postgresql", "both"):
        met &= bench("PostgreSQL", POSTGRES, args, folder)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
