"""Issue 17 item 6: a NUL byte (or any control character but tab and line breaks) typed into a
staff textarea is dropped before it reaches the database, and the rest of the text is kept."""

from __future__ import annotations

from sqlalchemy import select

from survey.filings.models import Filing, FilingKind
from tests.targets.conftest import post_files


def test_a_nul_byte_in_a_filing_is_dropped_and_the_text_kept(world, open_year, db_session, login):
    editor = login(world.editor_a)
    data = {"text": "一、总体\x00思路\x07\r\n二、措施\t完成", "special_plans": "专项\x00一"}
    response = post_files(editor, "/agency/filings/work_plan", data, [])
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    db_session.expire_all()
    filing = db_session.scalar(select(Filing).where(Filing.kind == FilingKind.work_plan))
    assert filing.text == "一、总体思路\r\n二、措施\t完成"
    assert filing.special_plans == "专项一"
