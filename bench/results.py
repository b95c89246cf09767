"""Benchmark the staff pages that read a large campaign (issue 17 item 8; a script, not a test).

Fills a fresh database with ``bench/scores.py``'s synthetic year (``--responses`` public
responses, default 1,000,000, with their answers; or uses ``--database``, filled on its first
run), logs a supervisor in, times ``survey responses tally --rebuild`` (every campaign's
tally counted from nothing), then ``--repeat`` rounds of: one new public response stored as a
respondent's submit stores it, then each page once, in this order:

- the admin home (the baseline);
- the public campaign's results page: the first view after the new response, which counts
  the responses the stored tally does not cover (``survey/responses/admin/tallies.py``);
- the same page again (nothing new since);
- then, in rounds of their own with every response settled at once (``tallies.SETTLE`` 0):
  the admin home and the results page, which now also counts the new response into the
  stored tally and writes it (what each view does while responses keep arriving);
- its flags page;
- the year's results dashboard (``/admin/results/years/<id>``), after one scoring run of the
  year (``survey scores compute``, timed too when the database is filled);
- unless ``--skip-export``: the CSV export, streamed: its time, and the process's resident
  memory sampled at every chunk (its peak over the export against the resident memory before
  it: ``ru_maxrss`` would only repeat the fill's peak).

One public response in 50 is flagged (too fast), so the flags page has pages to show.

Goal: results, flags and dashboard each within 3× of the admin home, exports in bounded
memory.

    .venv/bin/python bench/results.py --backend sqlite --responses 200000
    .venv/bin/python bench/results.py --database sqlite:////tmp/r.db --prepare-only  # fill once
    .venv/bin/python bench/results.py --database sqlite:////tmp/r.db --skip-export
    .venv/bin/python bench/results.py                     # both databases, 1,000,000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, literal, select, text  # noqa: E402

from bench.scores import AS_OF, fill, postgres_database  # noqa: E402

PASSWORD = "bench-pass-2026-long"  # noqa: S105 -- a scratch database's only account


def _app(url: str):
    from survey import create_app
    from tests.fixtures.client import CSRFClient

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "r" * 40,
            "INSTANCE_PATH": tempfile.mkdtemp(),
            "PASSWORD_HASH_PROFILE": "cheapest",
        }
    )
    app.test_client_class = CSRFClient
    return app


def resident_mb() -> float:
    """The process's resident memory now (Linux), not its peak so far."""
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def flag_some(session, campaign_id: int) -> int:
    """Flag one response in 50 of the campaign as too fast (one INSERT … SELECT)."""
    from survey.db import utcnow
    from survey.responses.models import FlagReason, Response, ResponseFlag

    flags = ResponseFlag.__table__
    chosen = select(
        Response.id,
        literal(FlagReason.too_fast, flags.c.reason.type),
        literal("bench", flags.c.detail.type),
        literal(utcnow(), flags.c.created_at.type),
    ).where(Response.campaign_id == campaign_id, Response.id % 50 == 0)
    result = session.execute(
        insert(flags).from_select(["response_id", "reason", "detail", "created_at"], chosen)
    )
    return result.rowcount


def prepare(url: str, args):
    """Migrate the database and, when it holds no responses yet, fill it: the synthetic year,
    the supervisor, one flagged response in 50 and one scoring run. Returns the app, the
    public campaign's id and the year's id. A database filled once (``--database``) is reused
    as it is by later runs."""
    from survey import migrations
    from survey.accounts.models import Role
    from survey.accounts.services import create_user
    from survey.agencies.models import Jurisdiction
    from survey.campaigns.models import Campaign
    from survey.responses.models import Response
    from survey.scores import services as scores
    from survey.years.models import AssessmentYear

    migrations.upgrade(url)
    app = _app(url)
    session = app.extensions["survey.db"]["session_factory"]()
    with app.app_context():
        if session.scalar(select(Response.id).limit(1)) is None:
            started = time.perf_counter()
            fill(session, args.agencies, args.responses)
            print(f"  filled {args.responses:,} responses in {time.perf_counter() - started:.0f} s")
            city = session.scalar(select(Jurisdiction.id).where(Jurisdiction.parent_id.is_(None)))
            create_user(
                session,
                None,
                username="results-bench",
                display_name="基准",
                role=Role.supervisor,
                password=PASSWORD,
                jurisdiction_id=city,
                must_change_password=False,
            )
            session.commit()
            campaign = session.scalar(
                select(Campaign.id).where(Campaign.respondent_group == "public")
            )
            print(f"  flagged {flag_some(session, campaign):,} responses")
            session.commit()
            year = session.scalar(select(AssessmentYear))
            started = time.perf_counter()
            scores.compute_run(session, None, year, AS_OF)
            session.commit()
            print(f"  one scoring run of the year in {time.perf_counter() - started:.0f} s")
        else:
            count = session.scalar(select(func.count(Response.id)))
            print(f"  reusing the database's {count:,} responses")
        if session.get_bind().dialect.name == "postgresql":
            # The fill COPYs explicit ids: move the sequence past them, so that a response
            # stored as a respondent's is (``arrive``) draws a new id.
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('responses', 'id'),"
                    " (SELECT max(id) FROM responses))"
                )
            )
            session.commit()
            # Planner statistics, as autovacuum gathers them in production (this machine's
            # server runs with autovacuum off; unanalysed, PostgreSQL scans the whole table
            # for a range of 5 new ids).
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()
        campaign = session.scalar(select(Campaign.id).where(Campaign.respondent_group == "public"))
        year_id = session.scalar(select(AssessmentYear.id))
    session.close()
    return app, campaign, year_id


def tally_all(app) -> tuple[float, str]:
    """``survey responses tally --rebuild``: every campaign's tally counted from nothing and
    stored (what the first view of a campaign never tallied costs)."""
    from survey.responses.admin.cli import responses

    started = time.perf_counter()
    result = app.test_cli_runner().invoke(responses, ["tally", "--rebuild"])
    assert result.exit_code == 0, result.output
    return time.perf_counter() - started, result.output


def arrive(app, campaign_id: int) -> None:
    """One new response to the public campaign, stored as a respondent's submit stores it
    (``insert_response``, committed), with the answers of the campaign's first response."""
    from survey.campaigns.models import Campaign
    from survey.responses.models import Answer, Channel, Response
    from survey.responses.services import CampaignRef, insert_response

    session = app.extensions["survey.db"]["session_factory"]()
    with app.app_context():
        first = session.scalar(
            select(Response)
            .where(Response.campaign_id == campaign_id)
            .order_by(Response.id)
            .limit(1)
        )
        answers = dict(
            session.execute(
                select(Answer.item_id, Answer.value).where(Answer.response_id == first.id)
            ).all()
        )
        ref = CampaignRef.of(session.get(Campaign, campaign_id))
        agency_id, key = first.agency_id, uuid.uuid4().hex
        session.rollback()
        insert_response(
            session,
            campaign=ref,
            agency_id=agency_id,
            rater_agency_id=None,
            answers=answers,
            channel=Channel.web,
            submission_key=key,
            duration_seconds=60,
        )
        session.commit()
    session.close()


def measure(url: str, args) -> dict:
    app, campaign, year_id = prepare(url, args)
    tally_seconds, tally_output = tally_all(app)
    print(f"  survey responses tally --rebuild: {tally_seconds:.1f} s")
    print("".join(f"    {line}\n" for line in tally_output.splitlines()), end="")
    client = app.test_client()
    assert client.login("results-bench", PASSWORD).status_code == 302
    pages = {
        "admin home": "/admin/",
        "results": f"/admin/results/{campaign}",  # the first view after a new response
        "results again": f"/admin/results/{campaign}",  # the same page, nothing new since
        "flags": f"/admin/results/{campaign}/flags",
        "dashboard": f"/admin/results/years/{year_id}",
    }
    for path in set(pages.values()):  # warm up (templates, the first dashboard view)
        assert client.get(path).status_code == 200, path
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.repeat):
        arrive(app, campaign)
        for name, path in pages.items():
            start = time.perf_counter()
            response = client.get(path)
            times[name].append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
    # The same rounds with every response settled at once: each first view then also counts
    # the new response into the stored tally and writes the row (what every view does when
    # responses keep arriving, once they are 10 minutes old).
    from survey.responses.admin import tallies

    settle, tallies.SETTLE = tallies.SETTLE, dt.timedelta(0)
    stored = {"admin home": "/admin/", "results, stored": f"/admin/results/{campaign}"}
    for _ in range(args.repeat):
        arrive(app, campaign)
        for name, path in stored.items():
            start = time.perf_counter()
            response = client.get(path)
            times.setdefault(name, []).append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
    tallies.SETTLE = settle
    export = None
    if not args.skip_export:
        before = peak = resident_mb()
        start = time.perf_counter()
        response = client.get(f"/admin/results/{campaign}/export.csv")
        size = 0
        for chunk in response.response:
            size += len(chunk)
            peak = max(peak, resident_mb())
        export = (time.perf_counter() - start, size, before, peak)
    app.extensions["survey.db"]["engine"].dispose()
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {"medians": medians, "all": times, "export": export}


def report(kind: str, result: dict) -> None:
    home = result["medians"]["admin home"]
    print(
        f"{kind}: one new response, then each page; medians of the rounds (ms), ratio to the "
        "admin home"
    )
    for name, value in result["medians"].items():
        every = ", ".join(f"{v * 1000:.0f}" for v in result["all"][name])
        print(f"  {name:<15} {value:>9.1f} ms  x{value / home:>6.2f}   ({every})")
    if result["export"] is not None:
        seconds, size, before, peak = result["export"]
        print(
            f"  export.csv  {seconds:.1f} s, {size / 2**20:.0f} MB streamed; resident memory "
            f"{before:.0f} MB before, peak {peak:.0f} MB during (+{peak - before:.0f} MB)"
        )
    print(f"  load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database",
        metavar="URL",
        help="use this database (filled on the first run, reused as it is by later ones) "
        "instead of a scratch one; with --backend sqlite or postgresql",
    )
    parser.add_argument("--skip-export", action="store_true", help="leave out the CSV export")
    parser.add_argument("--prepare-only", action="store_true", help="fill --database and stop")
    args = parser.parse_args()
    if args.database:
        if args.prepare_only:
            prepare(args.database, args)[0].extensions["survey.db"]["engine"].dispose()
        else:
            report(args.database.split(":")[0].split("+")[0], measure(args.database, args))
        return
    kinds = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for kind in kinds:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                report(kind, measure(f"sqlite:///{tmp}/results.db", args))
        else:
            server, name, url = postgres_database()
            try:
                report(kind, measure(url, args))
            finally:
                with server.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                server.dispose()


if __name__ == "__main__":
    main()
