"""Supervisors list the questionnaires and preview any version as a respondent sees it."""

from __future__ import annotations

from survey.questionnaires.loading import load_all
from survey.questionnaires.models import QuestionnaireVersion


def test_list_and_preview_every_version(app, world, login, db_session):
    with app.app_context():
        load_all(db_session)
    db_session.flush()
    client = login(world.supervisor)
    index = client.get("/admin/questionnaires/").get_data(as_text=True)
    assert "机关职能运行情况部门互评问卷" in index
    # the path's placeholders are shown, not eaten as HTML tags; groups in Chinese
    assert "questionnaires/&lt;slug&gt;/v&lt;N&gt;.yaml" in index
    assert "部门互评" in index and "<td>peer</td>" not in index
    for version in db_session.query(QuestionnaireVersion):
        page = client.get(f"/admin/questionnaires/versions/{version.id}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        for item in version.definition["items"]:
            assert f'name="{item["id"]}"' in html
        assert "不会保存" in html and 'method="post"' not in html
        assert f"{version.title}（v{version.number}）" in html  # no slug in the title
        with app.open_resource("static/respond.css") as css:
            assert len(html.encode()) + len(css.read()) < 30_000


def test_agency_users_cannot_preview(app, world, login, db_session):
    with app.app_context():
        load_all(db_session)
    version = db_session.query(QuestionnaireVersion).first()
    client = login(world.editor_a)
    assert client.get(f"/admin/questionnaires/versions/{version.id}").status_code == 403
