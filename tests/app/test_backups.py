"""``survey db backup`` / ``survey db restore``: an archive restored into a fresh database and
instance folder holds every response, every token's state and every evidence file."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from survey import backups, create_app, migrations
from survey.campaigns.models import Token
from survey.cli import main
from survey.evidence.models import EvidenceFile, EvidenceOwner
from survey.responses.models import Answer, Draft, Response
from tests.conftest import _postgres_database, app_settings
from tests.fixtures.client import CSRFClient
from tests.fixtures.data import make_world
from tests.responses.public.conftest import VALID_ANSWERS, form_fields, issue_tokens, make_campaign


def _fresh_url(backend: str, tmp_path: Path, name: str):
    if backend == "sqlite":
        return iter([f"sqlite:///{tmp_path / name}.db"])
    return _postgres_database()


@pytest.fixture
def urls(database_url, tmp_path):
    backend = make_url(database_url).get_backend_name()
    source, target = (
        _fresh_url(backend, tmp_path, "source"),
        _fresh_url(backend, tmp_path, "target"),
    )
    yield next(source), next(target)
    for remaining in (source, target):  # drops the PostgreSQL databases
        for _ in remaining:
            pass


def _fill(url: str, instance: Path):
    """A world, an open-link answer, a used and an unused token, a draft, an evidence file."""
    migrations.upgrade(url)
    app = create_app({**app_settings(url, instance), "SECRET_KEY": "k" * 40})
    app.test_client_class = CSRFClient
    session = app.extensions["survey.db"]["session_factory"]()
    with app.app_context():
        world = make_world(session)
        open_link = make_campaign(session, world)
        deputies = make_campaign(session, world, group="deputy", tokens=True)
        tokens = issue_tokens(session, deputies, count=3)
        link_code = open_link.campaign_agencies[0].code
        session.commit()
    phone = app.test_client()
    fields = form_fields(phone.get(f"/A/{link_code}").get_data(as_text=True))
    sent = phone.post(
        f"/A/{link_code}", data={**VALID_ANSWERS, "_key": fields["_key"], "_t": fields["_t"]}
    )
    assert sent.status_code == 303
    sitting = f"/S/{deputies.code}/sitting"
    for token, finish in ((tokens[0], True), (tokens[1], False)):
        deputy = app.test_client()
        deputy.get(f"/T/{token}")
        deputy.get("/T")
        for agency in (world.agency_a, world.agency_b):
            deputy.post(f"{sitting}/{agency.id}", data={"E1": "5", "C1": "4"})
        if finish:
            key = form_fields(deputy.get(sitting).get_data(as_text=True))["_key"]
            assert deputy.post(f"{sitting}/submit", data={"_key": key}).status_code == 303
    data = b"%PDF-1.4 evidence of work\n"
    digest = hashlib.sha256(data).hexdigest()
    path = instance / "evidence" / digest[:2] / digest
    with app.app_context():
        from survey.evidence.storage import path_of

        path = path_of(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    session.add(
        EvidenceFile(
            agency_id=world.agency_a.id,
            owner_type=EvidenceOwner.filing,
            owner_id=1,
            filename="工作要点.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=digest,
            uploaded_by_id=world.editor_a.id,
        )
    )
    session.commit()
    session.close()
    app.extensions["survey.db"]["engine"].dispose()
    return path.relative_to(instance / "evidence"), data


def _state(url: str):
    engine = create_engine(url)
    with Session(engine) as session:
        state = {
            "responses": sorted(session.scalars(select(Response.submission_key)).all()),
            "answers": session.scalar(select(func.count()).select_from(Answer)),
            "tokens": sorted(
                (t.token_hash, t.used_on is not None) for t in session.scalars(select(Token))
            ),
            "drafts": sorted(session.scalars(select(Draft.owner_hash)).all()),
            "evidence": sorted(session.scalars(select(EvidenceFile.sha256)).all()),
        }
    engine.dispose()
    return state


def test_a_backup_restores_into_a_fresh_database(urls, tmp_path, monkeypatch):
    source, target = urls
    relative, data = _fill(source, tmp_path / "source-instance")
    before = _state(source)
    assert len(before["responses"]) == 3 and before["drafts"]  # 1 open link + 2 agencies
    assert sorted(used for _, used in before["tokens"]) == [False, False, True]

    archive = tmp_path / "backup.tar"
    monkeypatch.setenv("SURVEY_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SURVEY_DATABASE_URL", source)
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "source-instance"))
    made = CliRunner().invoke(main, ["db", "backup", str(archive)], catch_exceptions=False)
    assert made.exit_code == 0 and "3 responses" in made.output, made.output

    monkeypatch.setenv("SURVEY_DATABASE_URL", target)
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "target-instance"))
    loaded = CliRunner().invoke(main, ["db", "restore", str(archive)], catch_exceptions=False)
    assert loaded.exit_code == 0, loaded.output
    assert _state(target) == before
    assert (tmp_path / "target-instance" / "evidence" / relative).read_bytes() == data

    again = CliRunner().invoke(main, ["db", "restore", str(archive)], catch_exceptions=False)
    assert again.exit_code == 1 and "not empty" in again.output  # never merged into data

    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as original, tarfile.open(tampered, "w") as out:
        for member in original.getmembers():
            body = original.extractfile(member).read()
            if member.name.startswith("evidence/"):
                body = b"changed"
                member.size = len(body)
            out.addfile(member, io.BytesIO(body))
    with pytest.raises(backups.BackupError, match="checksum"):
        backups.restore(target, tmp_path / "target-instance" / "evidence", tampered)
