"""The baseline for bench/submit.py: a bare Flask endpoint that consumes a token and inserts
one similar row with SQLAlchemy Core, on the same database and engine settings as the app
(PERFORMANCE.md "token consume + insert, Core")."""

from __future__ import annotations

import os

from flask import Flask, redirect, request
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text, insert, update

from survey.db import make_engine, utcnow

metadata = MetaData()
bench_tokens = Table(
    "bench_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("used_on", Date),
)
bench_rows = Table(
    "bench_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer),
    Column("agency_id", Integer),
    Column("submission_key", String(64)),
    Column("answers", Text),
    Column("submitted_at", String(40)),
)


def create_app() -> Flask:
    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    app = Flask(__name__)

    @app.post("/submit")
    def submit():
        token_hash = request.form["token"]
        with engine.begin() as connection:
            used = connection.execute(
                update(bench_tokens)
                .where(bench_tokens.c.token_hash == token_hash, bench_tokens.c.used_on.is_(None))
                .values(used_on=utcnow().date())
            )
            if used.rowcount != 1:
                return "used", 409
            connection.execute(
                insert(bench_rows).values(
                    campaign_id=1,
                    agency_id=1,
                    submission_key=request.form["_key"],
                    answers=request.form["answers"],
                    submitted_at=utcnow().isoformat(),
                )
            )
        return redirect("/done", 303)

    return app
