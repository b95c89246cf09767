"""The demo shows follow-up in every state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from survey.demo import loader
from survey.followup.escalation import Escalation, LinkageNotice
from survey.followup.models import ItemState, RectificationItem, SourceKind
from survey.followup.queries import rows_of
from survey.followup.special import SpecialCase
from survey.followup.warnings import Colour
from survey.workdays.queries import calendar_around

TODAY = dt.date(2026, 9, 1)


def test_the_demo_has_items_in_every_state(app, db_session, monkeypatch, tmp_path):
    for module in (
        "survey.demo.followup",
        "survey.demo.targets",
        "survey.followup.services",
        "survey.followup.special_services",
        "survey.followup.escalation_services",
    ):
        monkeypatch.setattr(f"{module}.beijing_today", lambda: TODAY)
    monkeypatch.setitem(app.config, "INSTANCE_PATH", str(tmp_path))
    with app.app_context():
        loader.load(db_session)
    items = db_session.scalars(select(RectificationItem)).all()
    assert {item.state for item in items} == set(ItemState)
    assert {
        SourceKind.manual,
        SourceKind.on_site_finding,
        SourceKind.overdue_target,
        SourceKind.special_supervision,
    } <= {item.source_kind for item in items}
    colours = {row.warning.colour for row in rows_of(db_session, items, TODAY)}
    assert colours == {Colour.red, Colour.yellow, Colour.blue, None}
    case = db_session.scalar(select(SpecialCase))
    assert calendar_around(db_session, TODAY).count_working_days(case.start_on, case.due_on) == 60
    escalation = db_session.scalar(select(Escalation))
    assert escalation.document_number and escalation.approved_on <= escalation.held_on
    assert db_session.scalar(select(func.count()).select_from(LinkageNotice)) == 2
