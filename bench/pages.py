"""Information-page benchmark and weight budget (`make bench`).

1. Weight: every public page in every locale, with its CSS, gzip-compressed, against the 15 KB
   budget (exits non-zero when a page is over).
2. Speed: serves the portal with gunicorn and, in the same run, a bare Flask app that renders a
   template of the same size without translation; loads both the same way, alternating rounds, and
   prints requests/s, p50 and p99 of each and the ratio portal / bare. Target: at least 0.6.
   For information it also loads the portal with its page cache off (PORTAL_PAGE_CACHE=0), which
   shows what the cache buys.

Figures on a shared machine are noisy: compare ratios, not absolute numbers.
"""

import argparse
import gzip
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, portal_cli, request, start_gunicorn  # noqa: E402

BUDGET_BYTES = 15 * 1024
SPEED_TARGET = 0.6


def fetch(port: int, path: str) -> tuple[int, bytes]:
    status, _, body = request(port, "GET", path)
    return status, body


def _client(port: int, paths: list[str], seconds: float, queue) -> None:
    latencies, errors, index = [], 0, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        try:
            status, _ = fetch(port, paths[index % len(paths)])
            errors += status != 200
        except OSError:
            errors += 1
        latencies.append(time.perf_counter() - start)
        index += 1
    queue.put((latencies, errors))


def load(port: int, paths: list[str], seconds: float, clients: int) -> dict:
    queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(port, paths, seconds, queue))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(latency for result in results for latency in result[0])
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": sum(result[1] for result in results),
    }


def weight_report(port: int) -> int:
    """Print the heaviest pages; return how many are over budget."""
    from portal.i18n import load_registry
    from portal.pages.content import SLUGS

    _, home = fetch(port, "/nb/")
    css_href = home.split(b'rel="stylesheet" href="')[1].split(b'"')[0].decode()
    _, css = fetch(port, css_href)
    css_gzip = len(gzip.compress(css, 9))
    sizes = []
    for code in load_registry():
        for slug in ("", *SLUGS):
            status, body = fetch(port, f"/{code}/{slug}")
            assert status == 200, (code, slug, status)
            sizes.append((len(gzip.compress(body, 9)) + css_gzip, len(body), f"/{code}/{slug}"))
    sizes.sort(reverse=True)
    over = [entry for entry in sizes if entry[0] > BUDGET_BYTES]
    print(f"Weight: {len(sizes)} pages; CSS {len(css)} B ({css_gzip} B gzip)")
    for total, raw, path in sizes[:5]:
        print(f"  {path:<32} HTML {raw:>6} B, with CSS gzip {total:>6} B")
    print(f"  budget {BUDGET_BYTES} B gzip per page with CSS: {len(over)} over")
    return len(over)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ankomst-bench-"))
    env = {
        "PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
        "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnop",
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    portal_cli(env, "db", "upgrade")
    portal_port, bare_port, uncached_port = free_port(), free_port(), free_port()
    portal = start_gunicorn("portal:create_app()", portal_port, args.workers, env)
    uncached = start_gunicorn(
        "portal:create_app()", uncached_port, args.workers, {**env, "PORTAL_PAGE_CACHE": "0"}
    )
    try:
        over_budget = weight_report(portal_port)
        paths = ["/ar/introduction-programme", "/uk/family-reunification", "/nb/contact",
                 "/fa-af/privacy", "/ti/settlement", "/so/"]  # fmt: skip
        template = folder / "page.html"
        template.write_bytes(fetch(portal_port, "/ar/introduction-programme")[1])
        bare = start_gunicorn("bench.bare_app:create_app()", bare_port, args.workers,
                              {"BENCH_TEMPLATE": str(template)})  # fmt: skip
        try:
            for port in (portal_port, bare_port, uncached_port):  # warm up every worker
                load(port, paths, 1, args.clients)
            runs = {"portal": [], "bare": [], "uncached": []}
            for _ in range(args.rounds):
                runs["portal"].append(load(portal_port, paths, args.seconds, args.clients))
                runs["bare"].append(load(bare_port, ["/ar/introduction-programme"], args.seconds,
                                         args.clients))  # fmt: skip
                runs["uncached"].append(load(uncached_port, paths, args.seconds, args.clients))
        finally:
            bare.terminate()
    finally:
        portal.terminate()
        uncached.terminate()

    print(f"\nSpeed: {args.workers} gunicorn workers each, {args.clients} clients, "
          f"{args.rounds} rounds of {args.seconds:.0f} s, alternating")  # fmt: skip
    medians = {}
    for name, results in runs.items():
        medians[name] = statistics.median(result["rps"] for result in results)
        p50 = statistics.median(result["p50"] for result in results)
        p99 = statistics.median(result["p99"] for result in results)
        errors = sum(result["errors"] for result in results)
        print(f"  {name:<8} {medians[name]:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
              f"errors {errors}")  # fmt: skip
    ratio = medians["portal"] / medians["bare"]
    verdict = "meets" if ratio >= SPEED_TARGET else "MISSES"
    print(f"  ratio portal / bare = {ratio:.2f} ({verdict} the {SPEED_TARGET} target)")
    print(f"  ratio uncached / bare = {medians['uncached'] / medians['bare']:.2f} (information)")
    return 1 if over_budget or ratio < SPEED_TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
