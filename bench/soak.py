"""Two app servers, one PostgreSQL database, one Redis: a soak with one server killed and
restarted mid-way (issue 17, "the production shape"). A script, not a timed test:

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 6] [--redis redis://127.0.0.1:6379/14]

Two gunicorn servers listen on 127.0.0.1 (two ports), sharing a fresh PostgreSQL database
(BENCH_POSTGRES_URL's server, dropped afterwards) and one Redis database. Client threads
alternate between the servers: each run is either a deputy's token sitting (scan the code,
save two agency pages, submit) or an open-link answer (load the form, submit). Half-way, the
first server is killed with SIGKILL and started again a few seconds later; clients whose
request failed move on to the other server. At the end the database is checked:

- every acknowledged submit (a 303 to the thank-you page) is stored exactly once;
- no token is used without its responses, and no token sitting's responses lack their token;
- the rate limits are shared: failed logins counted on one server delay the other.

Bounded: a fixed number of tokens and a time limit; everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submit import free_port  # noqa: E402

INSTANCE = Path(tempfile.gettempdir()) / f"survey-soak-{os.getpid()}"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class Browser:
    """One phone: its own cookies, talking to one server at a time (no redirects followed)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", data

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)


def prepare(url: str, tokens: int, port: int) -> dict:
    import datetime as dt

    from survey import create_app, migrations
    from survey.agencies import services as agencies
    from survey.agencies.models import AgencyKind
    from survey.campaigns.links import hash_token, new_code, new_token
    from survey.campaigns.models import AccessMode, Campaign, CampaignAgency, Token
    from survey.db import utcnow
    from survey.questionnaires.loading import load_all
    from survey.questionnaires.models import Questionnaire
    from survey.questionnaires.schema import parse_definition
    from survey.years import services as years

    migrations.upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "BASE_URL": f"http://127.0.0.1:{port}",
            "INSTANCE_PATH": str(INSTANCE),
        }
    )
    session = app.extensions["survey.db"]["session_factory"]()
    with app.app_context():
        load_all(session)
        city = agencies.create_jurisdiction(session, None, name="压测市", parent_id=None)
        rated = [
            agencies.create_agency(
                session,
                None,
                jurisdiction_id=city.id,
                name=f"压测市{name}局",
                short_name=f"{name}局",
                kind=AgencyKind.government,
            )
            for name in ("甲", "乙")
        ]
        year = years.create_year(session, None, jurisdiction_id=city.id, year=2026)
        now = utcnow()
        made = {}
        for group, mode in (("deputy", AccessMode.tokens), ("public", AccessMode.open_link)):
            version = session.query(Questionnaire).filter_by(slug=group).one().latest
            campaign = Campaign(
                year_id=year.id,
                questionnaire_version_id=version.id,
                title=f"压测{group}",
                respondent_group=group,
                code=new_code(),
                access_mode=mode,
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=1),
                min_seconds=0,
                device_limit=100000,
                address_limit=1000000,
            )
            session.add(campaign)
            session.flush()
            links = []
            for position, agency in enumerate(rated):
                link = CampaignAgency(
                    campaign_id=campaign.id, agency_id=agency.id, position=position, code=new_code()
                )
                session.add(link)
                links.append(link)
            session.flush()
            session.refresh(campaign)
            campaign.open()
            definition = parse_definition(version.definition)
            answers = {}
            for item in definition.items:
                if item.type == "rating":
                    answers[item.id] = "4"
                elif item.type in ("single", "multiple"):
                    answers[item.id] = item.options[0].code
                elif item.required:
                    answers[item.id] = "服务热情"
            made[group] = {
                "id": campaign.id,
                "code": campaign.code,
                "links": [link.code for link in links],
                "agencies": [agency.id for agency in rated],
                "answers": answers,
            }
        plain = [new_token() for _ in range(tokens)]
        session.add_all(
            Token(campaign_id=made["deputy"]["id"], token_hash=hash_token(token)) for token in plain
        )
        session.commit()
        made["tokens"] = plain
        made["secret_key"] = app.config["SECRET_KEY"]
    session.close()
    app.extensions["survey.db"]["engine"].dispose()
    return made


@contextmanager
def postgres():
    server = make_url(
        os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
    )
    name = f"prod_soak_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_server(port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--logger-class",
            "survey.accesslog.TokenFreeLogger",
            "survey:create_app()",
        ],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=0.5).request("GET", "/health")
            break
        except OSError:
            time.sleep(0.1)
    return process


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.tokens_acknowledged: list[str] = []
        self.open_keys_acknowledged: list[str] = []
        self.failures = 0
        self.errors_5xx = 0

    def add(self, attribute, value):
        with self.lock:
            getattr(self, attribute).append(value)

    def fail(self, status=None):
        with self.lock:
            self.failures += 1
            if status is not None and status >= 500:
                self.errors_5xx += 1


def token_sitting(browser: Browser, setup: dict, token: str, ledger: Ledger) -> None:
    deputy = setup["deputy"]
    status, location, _ = browser.get(f"/T/{token}")
    if status != 303:
        return ledger.fail(status)
    status, location, _ = browser.get("/T")
    if status != 303 or not location.endswith("/sitting"):
        return ledger.fail(status)
    sitting = f"/S/{deputy['code']}/sitting"
    for agency_id in deputy["agencies"]:
        status, _, page = browser.get(f"{sitting}/{agency_id}")
        fields = dict(HIDDEN.findall(page))
        status, _, _ = browser.post(
            f"{sitting}/{agency_id}",
            {"csrf_token": fields.get("csrf_token", ""), **deputy["answers"]},
        )
        if status != 303:
            return ledger.fail(status)
    status, _, page = browser.get(sitting)
    fields = dict(HIDDEN.findall(page))
    status, location, _ = browser.post(
        f"{sitting}/submit", {"csrf_token": fields.get("csrf_token", ""), "_key": fields["_key"]}
    )
    if status == 303 and location.endswith("/done"):
        ledger.add("tokens_acknowledged", token)
    else:
        ledger.fail(status)


def open_link(browser: Browser, setup: dict, ledger: Ledger) -> None:
    public = setup["public"]
    link = random.choice(public["links"])  # noqa: S311 -- load spread, not security
    status, _, page = browser.get(f"/A/{link}")
    if status != 200:
        return ledger.fail(status)
    fields = dict(HIDDEN.findall(page))
    status, location, _ = browser.post(f"/A/{link}", {**fields, **public["answers"]})
    if status == 303 and location.endswith("/done"):
        ledger.add("open_keys_acknowledged", fields["_key"])
    else:
        ledger.fail(status)


def check(url: str, setup: dict, ledger: Ledger) -> list[str]:
    engine = create_engine(url)
    problems = []
    with engine.connect() as c:
        deputy, public = setup["deputy"]["id"], setup["public"]["id"]
        used = c.scalar(
            text("SELECT count(*) FROM tokens WHERE campaign_id=:c AND used_on IS NOT NULL"),
            {"c": deputy},
        )
        sitting_responses = c.scalar(
            text("SELECT count(*) FROM responses WHERE campaign_id=:c"), {"c": deputy}
        )
        sitting_keys = c.scalar(
            text("SELECT count(DISTINCT submission_key) FROM responses WHERE campaign_id=:c"),
            {"c": deputy},
        )
        drafts_of_used = c.scalar(
            text(
                "SELECT count(*) FROM drafts d JOIN tokens t ON t.token_hash = d.owner_hash "
                "WHERE t.used_on IS NOT NULL"
            )
        )
        open_rows = dict(
            c.execute(
                text(
                    "SELECT submission_key, count(*) FROM responses WHERE campaign_id=:c "
                    "GROUP BY submission_key"
                ),
                {"c": public},
            ).all()
        )
    engine.dispose()
    agencies = len(setup["deputy"]["agencies"])
    acknowledged = len(ledger.tokens_acknowledged)
    if used < acknowledged:
        problems.append(f"{acknowledged} token sittings acknowledged but only {used} tokens used")
    if sitting_responses != used * agencies or sitting_keys != used:
        problems.append(
            f"{used} tokens used but {sitting_responses} responses under {sitting_keys} keys"
        )
    if drafts_of_used:
        problems.append(f"{drafts_of_used} drafts left behind by used tokens")
    missing = [k for k in ledger.open_keys_acknowledged if open_rows.get(k) != 1]
    if missing:
        problems.append(f"{len(missing)} acknowledged open-link answers not stored exactly once")
    return problems, {
        "token sittings acknowledged": acknowledged,
        "tokens used": used,
        "sitting responses": sitting_responses,
        "open-link answers acknowledged": len(ledger.open_keys_acknowledged),
        "open-link answers stored": sum(open_rows.values()),
    }


def shared_limits(ports: list[int]) -> tuple[bool, list[int]]:
    """Three wrong passwords alternating between the servers, then at once a fourth attempt
    on the other server: refused (429) only if the servers share the counts. Each form is
    fetched beforehand, so the posts follow each other within the 2 s delay."""
    name = f"nobody-{secrets.token_hex(3)}"
    prepared = []
    for number in range(4):
        browser = Browser(ports[number % 2])
        _, _, page = browser.get("/login")  # WTForms writes id, name, type, value
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        prepared.append((browser, {"csrf_token": token.group(1) if token else ""}))
    statuses = []
    for number, (browser, fields) in enumerate(prepared):
        password = "wrong password" if number < 3 else "another wrong one"
        status, _, _ = browser.post("/login", {**fields, "username": name, "password": password})
        statuses.append(status)
    return statuses == [200, 200, 200, 429], statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=20000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    ports = [free_port(), free_port()]
    with postgres() as url:
        setup = prepare(url, args.tokens, ports[0])
        env = {
            "SURVEY_DATABASE_URL": url,
            "SURVEY_SECRET_KEY": setup["secret_key"],
            "SURVEY_REDIS_URL": args.redis,
            "SURVEY_BASE_URL": f"http://127.0.0.1:{ports[0]}",
            "SURVEY_INSTANCE_PATH": str(INSTANCE),
        }
        servers = {port: start_server(port, env, args.workers) for port in ports}
        ledger = Ledger()
        tokens = iter(setup["tokens"])
        token_lock = threading.Lock()
        deadline = time.monotonic() + args.minutes * 60
        stop = threading.Event()

        def client(index: int):
            turn = index
            while not stop.is_set() and time.monotonic() < deadline:
                turn += 1
                browser = Browser(ports[turn % 2])
                try:
                    if turn % 2:
                        with token_lock:
                            token = next(tokens, None)
                        if token is None:
                            return
                        token_sitting(browser, setup, token, ledger)
                    else:
                        open_link(browser, setup, ledger)
                except (OSError, http.client.HTTPException):
                    ledger.fail()  # the server was down: not acknowledged, move on

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.minutes * 30)
        victim = servers[ports[0]]
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic() - started
        time.sleep(3)
        servers[ports[0]] = start_server(ports[0], env, args.workers)
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        limits_shared, login_statuses = shared_limits(ports)
        for process in servers.values():
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        problems, figures = check(url, setup, ledger)
    print(
        f"{elapsed:.0f} s, {args.clients} clients over 2 servers x {args.workers} workers; "
        f"server 1 SIGKILLed at {killed_at:.0f} s and restarted 3 s later"
    )
    for name, value in figures.items():
        print(f"  {name}: {value}")
    print(f"  requests not acknowledged (server down or refused): {ledger.failures}")
    print(f"  5xx answers: {ledger.errors_5xx}")
    print(
        f"  failed logins on one server delay the other: {limits_shared} "
        f"(login statuses alternating between servers: {login_statuses})"
    )
    if problems or not limits_shared:
        print("FAILED: " + "; ".join(problems or ["rate limits not shared"]))
        sys.exit(1)
    print("OK: every acknowledged submit stored once; tokens and responses agree")


if __name__ == "__main__":
    main()
