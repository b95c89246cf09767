"""Benchmark ``survey scores compute`` on a synthetic year stored in a real database (a
script, not a test).

Builds a fresh database (PostgreSQL and/or SQLite), migrates it, and fills it with one city,
``--agencies`` agencies (default 100) with approved, self-assessed targets, the four standard
questionnaires and one campaign each: ``--responses`` public responses (default 1,000,000), a
full peer round robin, a deputy panel and grassroots units. Then, in one run, beside baselines
measured on the same rows:

- **load**: ``survey.scores.loading.load_responses`` vs the raw path over the same query —
  PostgreSQL ``COPY (…) TO STDOUT`` + ``pandas.read_csv``; SQLite one ``sqlite3`` cursor
  ``fetchall`` into a DataFrame (goal: within 1.5×);
- **compute**: the whole ``services.compute_run`` (gather + evaluate + store) vs
  ``analysis.evaluate`` alone on the loaded frame (goal: within load + 1.2× evaluate);
- **peak memory** of the compute, in a process of its own that only computes (``ru_maxrss``;
  goal under 2 GB).

Timings are medians of ``--repeat`` runs, baseline and measured interleaved.

    .venv/bin/python bench/scores.py                         # both databases, full size
    .venv/bin/python bench/scores.py --backend sqlite --responses 100000
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey import create_app, migrations  # noqa: E402
from survey.db import db, utcnow  # noqa: E402

POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
AS_OF = dt.date(2026, 12, 1)
STAMP = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(session, agencies: int, public: int, seed: int = 2026) -> None:
    """The synthetic year (bulk inserts; COPY on PostgreSQL for the two big tables)."""
    from survey.agencies.models import Agency, AgencyKind, Jurisdiction, Section
    from survey.campaigns.models import AccessMode, Campaign, CampaignAgency
    from survey.questionnaires.loading import load_all
    from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
    from survey.questionnaires.schema import parse_definition
    from survey.targets.models import (
        Category,
        Completion,
        SelfAssessment,
        SetState,
        Target,
        TargetSet,
    )
    from survey.years.models import AssessmentYear, YearState

    rng = np.random.default_rng(seed)
    city = Jurisdiction(name="基准市")
    session.add(city)
    session.flush()
    from survey.accounts.models import Role, User

    user = User(
        username="bench", display_name="基准", role=Role.supervisor, password_hash="!",  # noqa: S106
        jurisdiction_id=city.id,
    )  # fmt: skip
    session.add(user)
    session.flush()
    kinds = [AgencyKind.government] * 7 + [AgencyKind.party] * 2 + [AgencyKind.mass_organization]
    made = [
        Agency(
            jurisdiction_id=city.id,
            name=f"基准机关{i:03d}",
            short_name=f"机关{i:03d}",
            kind=kinds[i % 10],
        )
        for i in range(agencies)
    ]
    session.add_all(made)
    session.flush()
    session.add_all(Section(agency_id=a.id, name="业务科", is_business=True) for a in made)
    year = AssessmentYear(
        jurisdiction_id=city.id, year=2026, config={}, state=YearState.open, opened_at=utcnow()
    )
    from survey.years.config import default_config

    year.config = default_config()
    session.add(year)
    session.flush()
    categories = list(Category)
    for a in made:
        owner = TargetSet(
            agency_id=a.id, year_id=year.id, state=SetState.approved, submitted_at=utcnow(),
            submitted_by_id=user.id, reviewed_at=utcnow(), reviewed_by_id=user.id,
            assessment_submitted_at=utcnow(), assessment_submitted_by_id=user.id,
        )  # fmt: skip
        session.add(owner)
        session.flush()
        for k in range(5):
            deadline = dt.date(2026, 3 + 2 * k, 28)
            late = int(rng.integers(0, 30)) if rng.random() < 0.3 else 0
            target = Target(
                set_id=owner.id, title=f"目标{k}", category=categories[k], deadline=deadline
            )
            session.add(target)
            session.flush()
            session.add(
                SelfAssessment(
                    target_id=target.id, status=Completion.done,
                    completed_on=deadline + dt.timedelta(days=late), outcome="完成",
                    self_score=float(rng.integers(80, 100)), updated_by_id=user.id,
                )
            )  # fmt: skip
    load_all(session)
    quality = rng.uniform(3.0, 4.6, agencies)
    ids = np.array([a.id for a in made])
    plans = {
        "public": public,
        "peer": agencies * (agencies - 1),
        "deputy": 60 * agencies,
        "grassroots": 40 * agencies,
    }
    next_id = 1
    for group, count in plans.items():
        version = session.scalar(
            select(QuestionnaireVersion).join(Questionnaire).where(Questionnaire.group == group)
        )
        definition = parse_definition(version.definition)
        campaign = Campaign(
            year_id=year.id, questionnaire_version_id=version.id, title=f"基准{group}",
            respondent_group=group, code=uuid.uuid4().hex[:12].upper(),
            access_mode=AccessMode.tokens if group != "public" else AccessMode.open_link,
            opens_at=STAMP - dt.timedelta(days=30), closes_at=STAMP + dt.timedelta(days=30),
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        session.add_all(
            CampaignAgency(
                campaign_id=campaign.id,
                agency_id=a.id,
                position=i,
                code=uuid.uuid4().hex[:12].upper(),
            )
            for i, a in enumerate(made)
        )
        campaign.open()
        session.flush()
        if group == "peer":
            rater = np.repeat(ids, agencies - 1)
            rated = np.array([b for a in ids for b in ids if b != a])
        else:
            rated = ids[rng.integers(0, agencies, count)]
            rater = np.full(count, -1)
        position = np.searchsorted(ids, rated)
        response_ids = np.arange(next_id, next_id + count)
        next_id += count
        seconds = (rng.integers(0, 30 * 86400, count)).astype("timedelta64[s]")
        stamps = np.datetime64("2026-10-15T00:00:00") + seconds
        responses = pd.DataFrame(
            {
                "id": response_ids, "campaign_id": campaign.id, "agency_id": rated,
                "rater_agency_id": pd.array(np.where(rater < 0, None, rater), dtype="Int64"),
                "questionnaire_version_id": version.id, "channel": "web",
                "submission_key": [f"b{i}" for i in response_ids], "submitted_at": stamps,
                "duration_seconds": rng.integers(40, 400, count),
            }
        )  # fmt: skip
        items = [item.id for item in definition.rating_items]
        parts = []
        for item in items:
            value = np.clip(np.rint(quality[position] + rng.normal(0, 0.8, count)), 1, 5).astype(
                int
            )
            dk = rng.random(count) < 0.07
            parts.append(
                pd.DataFrame(
                    {"response_id": response_ids, "item_id": item,
                     "value": np.where(dk, None, value.astype(str))}
                )
            )  # fmt: skip
        _bulk(session, "responses", responses)
        _bulk(session, "answers", pd.concat(parts, ignore_index=True))
    session.commit()


def _bulk(session, table: str, frame: pd.DataFrame) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        buffer.seek(0)
        raw = connection.connection.driver_connection
        columns = ", ".join(frame.columns)
        with raw.cursor().copy(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        ) as copy:
            while block := buffer.read(1 << 20):
                copy.write(block)
        return
    rows = frame.astype(object).where(frame.notna(), None)
    if "submitted_at" in rows:
        rows["submitted_at"] = [
            str(pd.Timestamp(v)).replace("T", " ") + ".000000" for v in frame["submitted_at"]
        ]
    placeholders = ", ".join("?" for _ in frame.columns)
    raw = connection.connection.driver_connection
    raw.executemany(
        f"INSERT INTO {table} ({', '.join(frame.columns)}) VALUES ({placeholders})",  # noqa: S608
        rows.itertuples(index=False, name=None),
    )


def raw_load(session, year_id: int, items) -> float:
    """The baseline: the same two queries' rows into pandas by the plainest fast path —
    PostgreSQL COPY + read_csv with no options, SQLite one cursor's fetchall into a frame."""
    from survey.scores.loading import answer_query, response_query

    connection = session.connection()
    dialect = connection.dialect.name
    raw = connection.connection.driver_connection
    start = time.perf_counter()
    for sql in (response_query(year_id, dialect), answer_query(year_id, items, dialect)):
        if dialect == "postgresql":
            buffer = io.BytesIO()
            with raw.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            pd.read_csv(buffer, header=None)
        else:
            pd.DataFrame.from_records(raw.execute(sql).fetchall())
    return time.perf_counter() - start


def _app(url: str):
    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "INSTANCE_PATH": tempfile.mkdtemp()}
    )


def compute_only(url: str, repeat: int) -> dict:
    """In a process of its own (so that its peak memory is the compute's alone): the whole
    ``compute_run``, and ``analysis.evaluate`` inside it timed on the frame compute builds."""
    from survey.scores import compute, services
    from survey.years.models import AssessmentYear

    app = _app(url)
    computes, timings = [], []
    real = compute.evaluate

    def timed(*given, **options):
        start = time.perf_counter()
        value = real(*given, **options)
        timings.append(time.perf_counter() - start)
        return value

    compute.evaluate = timed
    first = None
    with app.app_context():
        for _ in range(repeat):
            year = db.session.scalar(select(AssessmentYear))
            start = time.perf_counter()
            services.compute_run(db.session, None, year, AS_OF)
            db.session.commit()
            computes.append(time.perf_counter() - start)
            first = first or rss_mb()  # one compute, as a request makes it
    return {"computes": computes, "evaluates": timings, "peak_mb": first, "peak_all_mb": rss_mb()}


def measure(url: str, args) -> dict:
    import json
    import subprocess

    from survey.scores import loading
    from survey.years.models import AssessmentYear

    app = _app(url)
    out = {}
    with app.app_context():
        session = db.session
        start = time.perf_counter()
        fill(session, args.agencies, args.responses)
        out["fill_s"] = time.perf_counter() - start
        year = session.scalar(select(AssessmentYear))
        items = loading.rating_items(session, year.id)
        session.rollback()
        raws, loads = [], []
        for _ in range(args.repeat):  # interleaved: both see the same machine
            raws.append(raw_load(session, year.id, items))
            session.rollback()
            start = time.perf_counter()
            frame = loading.load_responses(session, year.id, items)
            loads.append(time.perf_counter() - start)
            session.rollback()
        out.update(rows=len(frame), raw_s=statistics.median(raws), load_s=statistics.median(loads))
        del frame
    app.extensions["survey.db"]["engine"].dispose()
    child = subprocess.run(
        [sys.executable, __file__, "--compute-only", url, "--repeat", str(args.repeat)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    computes = measured["computes"]
    out.update(
        evaluate_s=statistics.median(measured["evaluates"]),
        compute_s=statistics.median(computes),
        spread=(min(computes), max(computes)),
        peak_mb=measured["peak_mb"],
        peak_all_mb=measured["peak_all_mb"],
    )
    return out


def postgres_database():
    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"bench_scores_{uuid.uuid4().hex[:8]}"
    with server.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.url.set(database=name).render_as_string(hide_password=False)
    return server, name, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["both", "postgresql", "sqlite"], default="both")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compute-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compute_only:
        import json

        print(json.dumps(compute_only(args.compute_only, args.repeat)))
        return
    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    print(
        f"{args.responses:,} public responses, {args.agencies} agencies; medians of {args.repeat}"
    )
    for backend in backends:
        if backend == "sqlite":
            folder = tempfile.mkdtemp()
            url = f"sqlite:///{folder}/bench.db"
            migrations.upgrade(url)
            result = measure(url, args)
        else:
            server, name, url = postgres_database()
            try:
                migrations.upgrade(url)
                result = measure(url, args)
            finally:
                with server.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        load_ratio = result["load_s"] / result["raw_s"]
        budget = result["load_s"] + 1.2 * result["evaluate_s"]
        print(
            f"{backend}: {result['rows']:,} responses (filled in {result['fill_s']:.0f} s)\n"
            f"  load {result['load_s']:.2f} s vs raw {result['raw_s']:.2f} s"
            f" = {load_ratio:.2f}× (goal ≤ 1.5×)\n"
            f"  evaluate alone {result['evaluate_s']:.2f} s;"
            f" whole compute {result['compute_s']:.2f} s"
            f" (runs {result['spread'][0]:.2f}–{result['spread'][1]:.2f} s)"
            " vs goal ≤ load + 1.2× evaluate"
            f" = {budget:.2f} s: {'met' if result['compute_s'] <= budget else 'missed'}\n"
            f"  peak memory of one compute {result['peak_mb']:.0f} MB (goal < 2048 MB);"
            f" after {args.repeat} in one process {result['peak_all_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
