"""A published run with one objection, for tests that need the records (the access matrix)."""

from __future__ import annotations

import datetime as dt

from survey.clock import beijing_today
from survey.results.models import Objection, ObjectionSubject, RunPublication


def published_with_objection(db_session, world, run) -> Objection:
    world.year.config = {
        **world.year.config,
        "objection_closes": (beijing_today() + dt.timedelta(days=10)).isoformat(),
    }
    db_session.add(
        RunPublication(run_id=run.id, year_id=run.year_id, published_by_id=world.supervisor.id)
    )
    objection = Objection(
        run_id=run.id,
        year_id=run.year_id,
        agency_id=world.agency_a.id,
        subject=ObjectionSubject.composite,
        reason="得分偏低",
        filed_by_id=world.leader_a.id,
    )
    db_session.add(objection)
    db_session.commit()
    return objection
