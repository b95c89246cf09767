"""The ``survey`` command: db upgrade, demo, create-user, with clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from survey import migrations
from survey.accounts.models import User
from survey.agencies.models import Agency, Jurisdiction
from survey.campaigns.models import Campaign
from survey.cli import main
from survey.demo.loader import DEMO_PASSWORD
from survey.evidence.models import EvidenceFile
from survey.indicators.models import PublicIndicatorScore
from survey.reports.models import ReportBuild
from survey.responses.models import CampaignTally, Response
from survey.scores.diff import compare
from survey.scores.models import ScoringRun
from survey.targets.models import LedgerEntry, SelfAssessment, SetState, TargetAdjustment, TargetSet
from survey.verification.models import ScoreAdjustment, Visit
from survey.years.models import AssessmentYear, YearState


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A fresh SQLite database and instance folder, configured through the environment."""
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEY_SECRET_KEY", "s" * 40)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", url)
    return url


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_upgrade_then_demo_then_demo_again(cli_env, tmp_path):
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "bianban" in result.output and DEMO_PASSWORD in result.output
    # the link to type, in lower case (the lower-case path redirects to the QR code's)
    assert "Open survey:" in result.output and "/s/" in result.output

    engine = create_engine(cli_env)
    with Session(engine) as session:
        agencies = session.scalar(select(func.count()).select_from(Agency))
        districts = session.scalars(
            select(Jurisdiction.name).where(Jurisdiction.parent_id.is_not(None))
        ).all()
        year = session.scalar(select(AssessmentYear))
        assert agencies >= 40
        assert set(districts) == {"市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市"}
        assert year.state is YearState.open
        states = session.scalars(select(TargetSet.state)).all()
        assert set(states) == set(SetState)
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) >= 20
        assert session.scalar(select(func.count()).select_from(SelfAssessment)) >= 15
        # The year is computed at load: two runs, the second after a later verification.
        runs = session.scalars(select(ScoringRun).order_by(ScoringRun.number)).all()
        assert [run.number for run in runs] == [1, 2]
        results = runs[-1].agency_results
        assert any(not r.ranked and r.not_rated for r in results)
        assert any(r.adjustment for r in results)
        moved = compare(runs[0], runs[1])
        assert moved.changed_sources == ["self_assessment"] and len(moved.changes) == 1
        assert (
            session.scalar(select(func.count()).select_from(Visit)) == 2
        )  # the second: the later visit between the two runs
        assert session.scalar(select(func.count()).select_from(ScoreAdjustment)) == 2
        assert session.scalar(select(func.count()).select_from(PublicIndicatorScore)) > 0
        assert session.scalar(select(func.count()).select_from(TargetAdjustment)) == 1
        # The report and every agency's feedback sheet, built from run 2 (survey.demo.reports).
        kinds = session.scalars(select(ReportBuild.kind).where(ReportBuild.run_id == runs[-1].id))
        assert sorted(set(k.value for k in kinds)) == [
            "feedback", "feedback_all", "feedback_zip", "supervision"
        ]  # fmt: skip
        for evidence in session.scalars(select(EvidenceFile)):
            path = tmp_path / "evidence" / evidence.sha256[:2] / evidence.sha256
            assert path.read_bytes().startswith(b"%PDF-")
    result = run("demo")  # second time: nothing added
    assert "already has data" in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Agency)) == agencies
    # Every campaign's tally brought up to date at once (as far as the responses have settled:
    # some of the demo's were submitted minutes ago).
    result = run("responses", "tally")
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        campaigns = session.scalar(select(func.count()).select_from(Campaign))
        stored = session.execute(select(CampaignTally.covered_through)).scalars().all()
        oldest = session.scalar(select(func.min(Response.id)))
    assert result.output.count("responses tallied") == campaigns == len(stored)
    assert min(stored) >= oldest
    assert run("responses", "tally", "NO-SUCH").exit_code == 2
    engine.dispose()


def test_demo_is_deterministic(tmp_path, monkeypatch, cli_env):
    def fingerprint(url):
        engine = create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.id, a.name, a.kind, s.name, s.is_business FROM agencies a "
                    "JOIN sections s ON s.agency_id = a.id ORDER BY a.id, s.id"
                )
            ).all()
        engine.dispose()
        return rows

    run("db", "upgrade")
    run("demo")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", other)
    run("db", "upgrade")
    run("demo")
    assert fingerprint(cli_env) == fingerprint(other)


def test_demo_logins_work(cli_env):
    from survey import create_app

    run("db", "upgrade")
    run("demo")
    app = create_app({"PASSWORD_HASH_PROFILE": "default"})
    client = app.test_client()
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    response = client.post(
        "/login", data={"username": "bianban", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert "枣庄市发展和改革委员会" in client.get("/admin/agencies/").get_data(as_text=True)


def test_create_user_prompts_for_the_password(cli_env):
    run("db", "upgrade")
    run("demo")
    result = run(
        "create-user",
        "--username",
        "new-sup",
        "--name",
        "新用户",
        "--role",
        "supervisor",
        "--jurisdiction",
        "薛城区",
        input="a long new passphrase\na long new passphrase\n",
    )
    assert result.exit_code == 0, result.output
    engine = create_engine(cli_env)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == "new-sup"))
        assert user.jurisdiction.name == "薛城区"
        assert user.password_hash.startswith("$argon2id$")
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "agency_editor"], "--agency"),
        (["--role", "supervisor"], "--jurisdiction"),
        (["--role", "supervisor", "--jurisdiction", "火星区"], "no jurisdiction named"),
        (["--role", "agency_leader", "--agency", "不存在的局"], "no agency named"),
        (["--role", "boss", "--jurisdiction", "枣庄市"], "Invalid value for '--role'"),
    ],
)
def test_create_user_errors_are_clear(cli_env, args, message):
    run("db", "upgrade")
    run("demo")
    result = CliRunner().invoke(
        main,
        ["create-user", "--username", "x-user", "--name", "X", *args],
        input="a long new passphrase\na long new passphrase\n",
    )
    assert result.exit_code == 2
    assert message in result.output


def test_create_user_refuses_a_common_password(cli_env):
    run("db", "upgrade")
    run("demo")
    result = CliRunner().invoke(
        main,
        [
            "create-user",
            "--username",
            "weak",
            "--name",
            "W",
            "--role",
            "viewer",
            "--jurisdiction",
            "枣庄市",
        ],
        input="password123\npassword123\n",
    )
    assert result.exit_code == 1
    assert "common" in result.output.lower() or "常见" in result.output


def test_bad_configuration_stops_the_command_with_a_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "survey.cli", "db", "upgrade"],
        env={
            "SURVEY_INSTANCE_PATH": str(tmp_path),
            "SURVEY_DATABASE_URL": "mysql://x/y",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Configuration error" in result.stderr and "SURVEY_DATABASE_URL" in result.stderr


def test_upgrade_is_idempotent(cli_env):
    migrations.upgrade(cli_env)
    assert run("db", "upgrade").exit_code == 0
