"""Queue benchmark: the staff queue's first page, with filters, over 50,000 cases, on SQLite and on
PostgreSQL behind gunicorn. Prints p50/p95 per filter and, as the baseline on the same server, the
login page (no case query), so the figures can be read as ratios on a noisy machine.

PostgreSQL: PORTAL_BENCH_POSTGRES_URL (default: the local test database, whose tables are dropped).
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.booking import POSTGRES  # noqa: E402
from bench.common import (  # noqa: E402
    VENV_BIN,
    free_port,
    percentile,
    portal_cli,
    request,
    reset_postgresql,
    start_gunicorn,
)

CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "queue timing pass phrase 2026"
FILTERS = {
    "default (open, due first)": {},
    "all statuses, newest": {"status": "all", "sort": "newest"},
    "overdue": {"overdue": "y"},
    "interpreter + Arabic": {"interpreter": "y", "language": "ar"},
    "assigned to nobody, latest due": {"assignee": "none", "sort": "-due"},
    "name search": {"search": "Ahmadi 4711", "status": "all"},
    "name search, one word (6,000 hits)": {"search": "ahmadi"},
    "reference search": {"search": "FG-2222-2222", "status": "all"},
}
TARGET_P50_MS = 100


def seed(database_url: str, count: int) -> None:
    """`count` cases over both departments, all statuses, twelve languages, a year of due dates."""
    from sqlalchemy import create_engine, insert

    from portal.cases.models import Case
    from portal.links.references import new_reference

    rng = random.Random(7)
    statuses = (
        ["received"] * 4 + ["in_review"] * 3 + ["waiting_for_applicant", "completed", "rejected"]
    )
    locales = ["nb", "en", "uk", "ru", "ar", "ti", "so", "fa-af", "fa", "ps", "ckb", "ku"]
    families = ["Ahmadi", "Petrenko", "Haile", "Mohamed", "Karimi", "Rahimi", "Ivanova", "Hassan"]
    today = date.today()
    references = set()
    rows = []
    for number in range(count):
        reference = new_reference("FG")
        while reference in references:
            reference = new_reference("FG")
        references.add(reference)
        rows.append({
            "reference": reference, "type": "family_reunification", "status": rng.choice(statuses),
            "department": rng.choice(["settlement", "introduction"]),
            "due_date": today + timedelta(days=rng.randint(-60, 300)), "locale": rng.choice(locales),
            "submission_key": f"bench:{number}", "status_token_hash": f"{number:064d}",
            "applicant_name": f"{rng.choice(families)} {number}",
            "interpreter_language": rng.choice([None, None, "Arabic", "Tigrinya", "Dari"]),
            "created_at": datetime.now(UTC) - timedelta(days=rng.randint(0, 365)),
        })  # fmt: skip
    engine = create_engine(database_url)
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Case), rows[start : start + 5000])
    engine.dispose()


def _login(port) -> str:
    status, headers, body = request(port, "GET", "/staff/login")
    cookie = "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")
    token = CSRF.search(body).group(1).decode()
    form = urlencode({"csrf_token": token, "email": "bench@example.org", "password": PASSWORD})
    status, headers, _ = request(port, "POST", "/staff/login", form, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert status == 302, f"login failed: {status}"
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


def _timings(port, path, cookie, rounds) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, _, _ = request(port, "GET", path, headers={"Cookie": cookie})
        assert status == 200, (path, status)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def bench(name: str, database_url: str, args) -> bool:
    reset_postgresql(database_url)
    env = {"PORTAL_DATABASE_URL": database_url, "PORTAL_RATELIMIT_ENABLED": "0",
           "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnop",
           "PORTAL_STAFF_TOTP_REQUIRED": "false", "PORTAL_LOG_LEVEL": "WARNING"}  # fmt: skip
    portal_cli(env, "db", "upgrade")
    seed(database_url, args.cases)
    portal_cli(env, "db", "upgrade")  # at head already; refreshes the planner's statistics
    subprocess.run(
        [str(VENV_BIN / "portal"), "staff", "create", "--email", "bench@example.org",
         "--name", "Bench Caseworker", "--role", "caseworker", "--department", "settlement",
         "--department", "introduction", "--password-stdin"],
        input=PASSWORD + "\n", text=True, check=True, capture_output=True,
        env={**os.environ, **env},
    )  # fmt: skip
    port = free_port()
    server = start_gunicorn("portal:create_app()", port, args.workers, env)
    failed = False
    try:
        cookie = _login(port)
        _timings(port, "/staff/cases/", cookie, 3)  # warm up
        baseline = _timings(port, "/staff/login", "", args.rounds)
        print(
            f"{name}: {args.cases} cases, {args.workers} gunicorn workers, {args.rounds} sequential requests each"
        )
        print(
            f"  {'baseline: login page':34} p50 {percentile(baseline, 0.5):6.1f} ms  p95 {percentile(baseline, 0.95):6.1f} ms"
        )
        for label, query in FILTERS.items():
            times = _timings(port, "/staff/cases/?" + urlencode(query), cookie, args.rounds)
            p50 = percentile(times, 0.5)
            failed |= p50 >= TARGET_P50_MS
            print(f"  {label:34} p50 {p50:6.1f} ms  p95 {percentile(times, .95):6.1f} ms  "
                  f"({p50 / percentile(baseline, .5):4.1f}x baseline){'  OVER TARGET' if p50 >= TARGET_P50_MS else ''}")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ankomst-bench-queue-"))
    failed = bench("SQLite", f"sqlite:///{folder / 'portal.db'}", args)
    failed |= bench("PostgreSQL", POSTGRES, args)
    print(f"target: p50 under {TARGET_P50_MS} ms for every filter: {'MISSED' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
