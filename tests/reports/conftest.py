"""A scored year (tests/scores/conftest.py: agency A with targets on time, late and not done
and a 缺位 finding; agency B without targets) and helpers to open the built documents."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from survey.evidence import storage
from survey.reports import services
from survey.scores import services as scores
from tests.scores.conftest import AS_OF, build_year

ADVICE = (
    "（一）加强职能目标管理\n各单位要对照年度目标逐项明确责任和时限。\n\n（二）强化评价结果运用"
)


@pytest.fixture
def run(app, db_session, world):
    build_year(db_session, world)
    with app.app_context():
        computed = scores.compute_run(db_session, world.supervisor, world.year, AS_OF, workers=1)
        db_session.commit()
    return computed


def report_build(app, db_session, world, run):
    with app.test_request_context():
        services.save_advice(db_session, world.supervisor, world.year, ADVICE)
        build = services.build_supervision(db_session, world.supervisor, run, AS_OF)
        db_session.commit()
        return build, storage.path_of(build.sha256).read_bytes()


def feedback_builds(app, db_session, world, run, agency_id=None):
    with app.test_request_context():
        builds = services.build_feedback(
            db_session, world.supervisor, run, AS_OF, agency_id=agency_id
        )
        db_session.commit()
        return builds


def stored(app, build) -> bytes:
    with app.app_context():
        return storage.path_of(build.sha256).read_bytes()


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        }


def east_asian_font(element) -> str | None:
    """The run's (or style's) own w:eastAsia font."""
    r_pr = element.find(qn("w:rPr"))
    fonts = r_pr.find(qn("w:rFonts")) if r_pr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]
