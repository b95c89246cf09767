"""One record of each follow-up kind for agency A of the city, written directly (the access
matrix needs ids, not a walk through the services)."""

from __future__ import annotations

import datetime as dt

from survey.followup.models import ExtensionRequest, RectificationItem, SourceKind
from survey.followup.special import SpecialCase


def make_followup_records(session, world) -> dict:
    case = SpecialCase(
        jurisdiction_id=world.city.id,
        matter="专项监管事项",
        origin="instruction",
        start_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 11, 30),
        opened_by_id=world.supervisor.id,
    )
    case.agencies.append(world.agency_a)
    item = RectificationItem(
        agency_id=world.agency_a.id,
        source_kind=SourceKind.manual,
        title="甲局的整改事项",
        requirement="整改",
        issued_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 11, 30),
        issued_by_id=world.supervisor.id,
    )
    session.add_all([case, item])
    session.flush()
    extension = ExtensionRequest(
        item_id=item.id,
        requested_due_on=dt.date(2026, 12, 30),
        previous_due_on=item.due_on,
        reason="需要更多时间",
        requested_by_id=world.editor_a.id,
    )
    session.add(extension)
    session.commit()
    return {"item_id": item.id, "extension_id": extension.id, "case_id": case.id, "move": "remind"}
