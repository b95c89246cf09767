"""Benchmark the respondents' submit POST, served by gunicorn and loaded with wrk over HTTP
on 127.0.0.1, against a bare Flask endpoint that consumes a token and inserts one row, on the
same database in the same run (PERFORMANCE.md). A script, not a timed test:

    .venv/bin/python bench/submit.py [--duration 10] [--rounds 5] [--workers 4] [--connections 16]

The measured request is the final submit of a token sitting: CSRF checked, the saved answers
validated against the questionnaire, the token consumed, the response and its answers stored,
a 303 redirect. Each request carries its own prepared token, session cookie and draft, made
beforehand, so only the submit itself is timed. Needs `wrk` (Debian package) and, for the
PostgreSQL half, a server (BENCH_POSTGRES_URL, default the local one). Both endpoints are
served at once and loaded in alternating rounds, so that both meet the same moments of a
shared machine.

Also times 1,000 tokens with their printable PDF sheet (goal: under 10 s).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LUA = """
local lines = {}
local index = 0
local path = nil
setup = function(thread)
  thread:set("id", __THREAD_COUNTER__)
  __THREAD_COUNTER__ = __THREAD_COUNTER__ + 1
end
init = function(args)
  path = args[1]
  local n = 0
  for line in io.lines(args[2]) do
    if n % tonumber(args[3]) == id then lines[#lines + 1] = line end
    n = n + 1
  end
end
request = function()
  index = index + 1
  if index > #lines then index = 1 end
  local cookie, body = lines[index]:match("([^\\t]*)\\t(.*)")
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("POST", path, headers, body)
end
""".replace("__THREAD_COUNTER__", "thread_counter")
LUA = "thread_counter = 0\n" + LUA

WRK_THREADS = 2
WARM_UP = 4000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database(kind: str, workdir: Path):
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    server = make_url(
        os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
    )
    name = f"bench_submit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, workdir: Path, count: int, port: int) -> tuple[dict, str, Path, Path]:
    """Migrate, make one open deputy campaign over one agency, and ``count`` tokens each with
    a saved draft and a session cookie holding its sitting; the same number of bare tokens."""
    from flask_wtf.csrf import generate_csrf  # noqa: F401 -- fails early if Flask-WTF is absent
    from itsdangerous import URLSafeTimedSerializer

    import bench.bare_submit as bare
    from survey import create_app, migrations
    from survey.agencies import services as agencies
    from survey.agencies.models import AgencyKind
    from survey.campaigns.links import hash_token, new_code, new_token
    from survey.campaigns.models import AccessMode, Campaign, CampaignAgency, Token
    from survey.db import utcnow
    from survey.questionnaires.loading import load_all
    from survey.questionnaires.models import Questionnaire
    from survey.questionnaires.schema import parse_definition
    from survey.responses.models import Draft
    from survey.years import services as years

    migrations.upgrade(url)
    env = {
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEY": secrets.token_urlsafe(48),
        "SURVEY_BASE_URL": f"http://127.0.0.1:{port}",
        "SURVEY_INSTANCE_PATH": str(workdir / "instance"),
    }
    app = create_app({key.removeprefix("SURVEY_"): value for key, value in env.items()})
    session = app.extensions["survey.db"]["session_factory"]()
    with app.app_context():
        load_all(session)
        city = agencies.create_jurisdiction(session, None, name="基准市", parent_id=None)
        agency = agencies.create_agency(
            session,
            None,
            jurisdiction_id=city.id,
            name="基准市甲局",
            short_name="甲局",
            kind=AgencyKind.government,
        )
        year = years.create_year(session, None, jurisdiction_id=city.id, year=2026)
        questionnaire = session.query(Questionnaire).filter_by(slug="deputy").one()
        version = questionnaire.latest
        now = utcnow()
        import datetime as dt

        campaign = Campaign(
            year_id=year.id,
            questionnaire_version_id=version.id,
            title="基准测评",
            respondent_group="deputy",
            code=new_code(),
            access_mode=AccessMode.tokens,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=1),
        )
        session.add(campaign)
        session.flush()
        session.add(CampaignAgency(campaign_id=campaign.id, agency_id=agency.id, code=new_code()))
        session.flush()
        session.refresh(campaign)
        campaign.open()
        session.commit()
        definition = parse_definition(version.definition)
        raw = {}
        for item in definition.items:
            if item.type == "rating":
                raw[item.id] = ["4"]
            elif item.type in ("single", "multiple"):
                raw[item.id] = [item.options[0].code]
            else:
                raw[item.id] = ["工作扎实，服务热情"]
        answers = {str(agency.id): {"skipped": False, "raw": raw}}
        plain = [new_token() for _ in range(count)]
        hashes = [hash_token(token) for token in plain]
        session.execute(
            insert(Token),
            [{"campaign_id": campaign.id, "token_hash": h, "issued_at": now} for h in hashes],
        )
        session.execute(
            insert(Draft),
            [
                {
                    "campaign_id": campaign.id,
                    "owner_hash": h,
                    "answers": answers,
                    "started_at": now,
                    "updated_at": now,
                }
                for h in hashes
            ],
        )
        bare.metadata.create_all(session.connection())
        session.execute(insert(bare.bench_tokens), [{"token_hash": h} for h in hashes])
        session.commit()
        signer = app.session_interface.get_signing_serializer(app)
        csrf_signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        real_lines, bare_lines = [], []
        answers_text = "&".join(f"{k}={v[0]}" for k, v in raw.items())
        for h in hashes:
            raw_csrf = hashlib.sha1(os.urandom(32)).hexdigest()  # noqa: S324 -- as Flask-WTF does
            cookie = signer.dumps(
                {"csrf_token": raw_csrf, "sitting": {"code": campaign.code, "hash": h}}
            )
            key = secrets.token_urlsafe(24)
            real_lines.append(
                f"{cookie_name}={cookie}\tcsrf_token={csrf_signer.dumps(raw_csrf)}&_key={key}"
            )
            bare_lines.append(f"\ttoken={h}&_key={key}&answers={answers_text}")
    session.close()
    app.extensions["survey.db"]["engine"].dispose()
    files = {}
    # The first WARM_UP lines warm the workers up (imports, connections, caches) unmeasured.
    for name, lines in (("real", real_lines), ("bare", bare_lines)):
        for part, chosen in (("warm", lines[:WARM_UP]), ("timed", lines[WARM_UP:])):
            files[name, part] = workdir / f"{name}-{part}.txt"
            files[name, part].write_text("\n".join(chosen) + "\n")
    return env, f"/S/{campaign.code}/sitting/submit", files


@contextmanager
def gunicorn(app_spec: str, port: int, workers: int, env: dict):
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
            # The app is built once in the master, before the workers fork: a worker that
            # builds it itself (numpy, pandas, the catalogs: seconds on a loaded machine)
            # answers its first requests late, and they were being timed.
            "--preload",
            app_spec,
        ],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    try:
        # Ready when a worker answers HTTP (the master accepts connections before that).
        for _ in range(600):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=90)  # a loaded machine: graceful shutdown can take a while


def run_wrk(port: int, path: str, lines: Path, duration: int, connections: int, workdir: Path):
    script = workdir / "post.lua"
    script.write_text(LUA)
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(WRK_THREADS),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            path,
            str(lines),
            str(WRK_THREADS),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0


def bench_database(kind: str, args) -> dict:
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        workdir = Path(tmp)
        port_real, port_bare = free_port(), free_port()
        count = args.duration * 4000 + WARM_UP
        env, path, files = prepare(url, workdir, count, port_real)

        # Both servers up at once, measured in alternating rounds: the load of a shared
        # machine moves within seconds, and each endpoint then meets the same moments.
        rounds = {}
        for name in ("real", "bare"):
            lines = files[name, "timed"].read_text().splitlines()
            size = len(lines) // args.rounds
            for number in range(args.rounds):
                rounds[name, number] = workdir / f"{name}-round{number}.txt"
                rounds[name, number].write_text(
                    "\n".join(lines[number * size : (number + 1) * size]) + "\n"
                )
        length = max(1, round(args.duration / args.rounds))
        endpoints = {"bare": (port_bare, "/submit"), "real": (port_real, path)}
        runs = {"bare": [], "real": []}
        bare_env = {"BENCH_DATABASE_URL": url}
        with (
            gunicorn("bench.bare_submit:create_app()", port_bare, args.workers, bare_env),
            gunicorn("survey:create_app()", port_real, args.workers, env),
        ):
            for name, (port, route) in endpoints.items():
                run_wrk(port, route, files[name, "warm"], 2, args.connections, workdir)
            for number in range(args.rounds):
                for name, (port, route) in endpoints.items():
                    runs[name].append(
                        run_wrk(
                            port, route, rounds[name, number], length, args.connections, workdir
                        )
                    )
        bare, real = (
            (
                statistics.mean(rate for rate, _, _ in runs[name]),
                statistics.median(p99 for _, p99, _ in runs[name]),
                sum(errors for _, _, errors in runs[name]),
            )
            for name in ("bare", "real")
        )
        engine = create_engine(url)
        with engine.connect() as connection:
            stored = connection.scalar(text("SELECT count(*) FROM responses"))
            used = connection.scalar(text("SELECT count(*) FROM tokens WHERE used_on IS NOT NULL"))
        engine.dispose()
    return {"bare": bare, "real": real, "stored": stored, "used": used}


def bench_token_sheet() -> float:
    """1,000 tokens issued (generated and hashed) with their printable PDF sheet of QR slips."""
    from survey.campaigns import printing
    from survey.campaigns.links import hash_token, new_token

    base = "HTTPS://PJ.EXAMPLE.GOV.CN/T/"
    start = time.perf_counter()
    tokens = [new_token() for _ in range(1000)]
    [hash_token(token) for token in tokens]
    slips = [printing.Slip(base + token, token, None) for token in tokens]
    pdf = printing.token_sheet_pdf("2026年度两代表一委员评价", slips)
    elapsed = time.perf_counter() - start
    assert pdf.startswith(b"%PDF")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds of each endpoint (2 s each)"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--skip-sheet", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    print(
        f"gunicorn sync workers: {args.workers}; wrk {WRK_THREADS} threads, "
        f"{args.connections} connections, {args.duration} s each in {args.rounds} alternating "
        "rounds (rate: their mean; p99: their median)"
    )
    header = ("database", "bare req/s", "p99 ms", "submit req/s", "p99 ms", "ratio")
    print("{:<11} {:>10} {:>7} {:>12} {:>7} {:>6}  checks".format(*header))
    for kind in args.databases.split(","):
        result = bench_database(kind, args)
        (bare_rate, bare_p99, bare_err), (rate, p99, err) = result["bare"], result["real"]
        print(
            f"{kind:<11} {bare_rate:>10.0f} {bare_p99:>7.1f} {rate:>12.0f} {p99:>7.1f} "
            f"{rate / bare_rate:>6.2f}  responses stored {result['stored']}, tokens used "
            f"{result['used']}; non-3xx: bare {bare_err}, submit {err}"
        )
    if not args.skip_sheet:
        print(f"1,000 tokens with their PDF sheet: {bench_token_sheet():.2f} s (goal < 10 s)")


if __name__ == "__main__":
    main()
