"""Loading questionnaire files as immutable versions, from code and from the command line."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DatabaseError

from survey import resource_dir
from survey.questionnaires.cli import questionnaires_cli
from survey.questionnaires.loading import LoadError, load_all
from survey.questionnaires.models import QuestionnaireVersion


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "questionnaires"
    shutil.copytree(resource_dir("questionnaires"), target)
    return target


def versions(db_session):
    return db_session.scalars(select(QuestionnaireVersion)).all()


def test_loading_is_idempotent(db_session, folder):
    first = load_all(db_session, folder)
    assert sorted(first.loaded) == [
        "deputy/v1.yaml",
        "grassroots/v1.yaml",
        "peer/v1.yaml",
        "public/v1.yaml",
    ]
    second = load_all(db_session, folder)
    assert second.loaded == [] and len(second.unchanged) == 4
    assert len(versions(db_session)) == 4


def test_changed_content_of_a_loaded_version_is_refused(db_session, folder):
    load_all(db_session, folder)
    path = folder / "public" / "v1.yaml"
    path.write_text(path.read_text().replace("很不满意", "非常不满意"))
    with pytest.raises(LoadError) as caught:
        load_all(db_session, folder)
    assert "v2.yaml" in caught.value.errors[0]
    # the changed text saved as v2 loads as a new version beside v1
    (folder / "public" / "v2.yaml").write_text(path.read_text().replace("version: 1", "version: 2"))
    path.write_text((resource_dir("questionnaires") / "public" / "v1.yaml").read_text())
    assert load_all(db_session, folder).loaded == ["public/v2.yaml"]


def test_one_bad_file_loads_nothing(db_session, folder):
    (folder / "peer" / "v1.yaml").write_text("slug: peer\nversion: 1\nitems: [")
    (folder / "deputy" / "v2.yaml").write_text("slug: deputy\nversion: 3\n")
    with pytest.raises(LoadError) as caught:
        load_all(db_session, folder)
    text = "\n".join(caught.value.errors)
    assert "peer/v1.yaml" in text and "deputy/v2.yaml" in text
    assert versions(db_session) == []


def test_the_database_refuses_to_change_or_delete_a_version(db_session, folder):
    load_all(db_session, folder)
    version = versions(db_session)[0]
    for statement in (
        update(QuestionnaireVersion).values(title="改过的标题"),
        QuestionnaireVersion.__table__.delete(),
    ):
        nested = db_session.begin_nested()
        with pytest.raises(DatabaseError):
            db_session.execute(statement)
        nested.rollback()
    db_session.refresh(version)
    assert version.title != "改过的标题"


def test_the_load_command(app, folder, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(questionnaires_cli, ["load", "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert "loaded    public/v1.yaml" in result.output
    again = runner.invoke(questionnaires_cli, ["load", "--folder", str(folder)])
    assert "unchanged public/v1.yaml" in again.output
    (folder / "public" / "v1.yaml").write_text("slug: public\n")
    bad = runner.invoke(questionnaires_cli, ["load", "--folder", str(folder)])
    assert bad.exit_code == 1 and "public/v1.yaml" in bad.output
