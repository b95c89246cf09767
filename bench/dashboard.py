"""Benchmark the results pages served by gunicorn: the dashboard, one drill-down and the
quality page of a computed run, beside the login page in the same run (a script, not a test).

Builds a fresh SQLite (or PostgreSQL) database with ``bench/scores.py``'s synthetic year
(``--agencies`` agencies, ``--responses`` public responses, default 1,000,000), computes one
run, then serves the app with gunicorn and requests, interleaved, the login page and each
results page ``--repeat`` times as a logged-in supervisor (``urllib``, one connection per
request, sequential). The first request of each page (which draws its charts and condenses the
run once, then keeps them) is reported apart as "first"; medians and p95 are of the rest.

Goal (issue 12): each page within 3× of the login page; the dashboard under 200 KB with its
SVG.

    .venv/bin/python bench/dashboard.py                       # SQLite, 1,000,000 responses
    .venv/bin/python bench/dashboard.py --responses 100000 --backend postgresql
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402
import http.cookiejar  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.scores import AS_OF, fill, postgres_database  # noqa: E402
from survey import create_app, migrations  # noqa: E402
from survey.db import db  # noqa: E402

PASSWORD = "bench-pass-2026"  # noqa: S105 — a throwaway database's only account


def build(url: str, workdir: Path, agencies: int, responses: int) -> dict:
    from survey.accounts.models import Role
    from survey.accounts.services import create_user
    from survey.agencies.models import Jurisdiction
    from survey.scores import services
    from survey.years.models import AssessmentYear

    migrations.upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "INSTANCE_PATH": str(workdir / "i")}
    )
    with app.app_context():
        session = db.session
        start = time.perf_counter()
        fill(session, agencies, responses)
        session.commit()
        city = session.scalar(select(Jurisdiction))
        create_user(
            session,
            None,
            username="bench-sup",
            display_name="基准编办",
            role=Role.supervisor,
            password=PASSWORD,
            must_change_password=False,
            jurisdiction_id=city.id,
        )
        session.commit()
        filled = time.perf_counter() - start
        year = session.scalar(select(AssessmentYear))
        start = time.perf_counter()
        run = services.compute_run(session, None, year, AS_OF)
        session.commit()
        computed = time.perf_counter() - start
        agency_id = next(r.agency_id for r in run.agency_results if r.ranked)
        out = {
            "year_id": year.id,
            "run_id": run.id,
            "agency_id": agency_id,
            "fill_s": filled,
            "compute_s": computed,
            "document_kb": len(run.results.encode()) / 1024,
        }
    app.extensions["survey.db"]["engine"].dispose()
    return out


@contextmanager
def gunicorn(port: int, workers: int, env: dict):
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "survey:create_app()",
        ],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def login(client, base: str) -> None:
    page = client.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": "bench-sup", "password": PASSWORD, "csrf_token": token}
    ).encode()
    request = urllib.request.Request(f"{base}/login", data=data, headers={"Referer": base})  # noqa: S310
    client.open(request)  # http://127.0.0.1 only


def timed(client, url: str) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    with client.open(url) as response:
        body = response.read()
        status = response.status
    return time.perf_counter() - start, status, body


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    server = name = None
    if args.backend == "postgresql":
        server, name, url = postgres_database()
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    try:
        facts = build(url, workdir, args.agencies, args.responses)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            "SURVEY_DATABASE_URL": url,
            "SURVEY_SECRET_KEY": secrets.token_urlsafe(48),
            "SURVEY_BASE_URL": base,
            "SURVEY_INSTANCE_PATH": str(workdir / "instance"),
        }
        pages = {
            "login (baseline)": "/login",
            "dashboard": f"/admin/results/years/{facts['year_id']}",
            "drill-down": f"/admin/results/runs/{facts['run_id']}/agencies/{facts['agency_id']}",
            "quality": f"/admin/results/runs/{facts['run_id']}/quality",
        }
        times = {page: [] for page in pages}
        first, sizes = {}, {}
        with gunicorn(port, args.workers, env):
            anonymous, client = opener(), opener()
            login(client, base)
            for page, path in pages.items():
                who = anonymous if page.startswith("login") else client
                first[page], status, body = timed(who, base + path)
                assert status == 200, (page, status)
                sizes[page] = body
            for _ in range(args.repeat):  # interleaved: every page sees the same machine
                for page, path in pages.items():
                    who = anonymous if page.startswith("login") else client
                    elapsed, status, _body = timed(who, base + path)
                    assert status == 200, (page, status)
                    times[page].append(elapsed)
        baseline = statistics.median(times["login (baseline)"])
        dashboard = sizes["dashboard"].decode()
        svg = sum(len(s.encode()) for s in re.findall(r"<svg.*?</svg>", dashboard, re.S))
        print(
            f"{args.backend}: {args.agencies} agencies, {args.responses:,} public responses; "
            f"fill {facts['fill_s']:.0f} s, compute {facts['compute_s']:.0f} s, "
            f"run document {facts['document_kb']:.0f} KB; gunicorn {args.workers} sync "
            f"workers; {args.repeat} requests per page, interleaved"
        )
        print(
            f"{'page':<18} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'× login':>8} {'KB':>7}"
        )
        for page in pages:
            median = statistics.median(times[page])
            print(
                f"{page:<18} {first[page] * 1000:>9.0f} {median * 1000:>10.1f} "
                f"{p95(times[page]) * 1000:>8.1f} {median / baseline:>8.2f} "
                f"{len(sizes[page]) / 1024:>7.1f}"
            )
        print(
            f"dashboard: {len(sizes['dashboard']) / 1024:.0f} KB, of which SVG {svg / 1024:.0f} KB "
            f"(goal: under 200 KB)"
        )
    finally:
        if server is not None:
            from sqlalchemy import text

            with server.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
