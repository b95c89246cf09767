"""A frozen Beijing "today" for follow-up, and a helper that issues an item."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.followup import services

TODAY = dt.date(2026, 9, 1)  # a Tuesday; 60 working days later is 2026-11-30
ENGLISH = {"Accept-Language": "en"}
MODULES = (
    "survey.followup.services",
    "survey.followup.admin_views",
    "survey.followup.agency_views",
    "survey.followup.special_views",
    "survey.followup.special_services",
    "survey.followup.escalation_services",
    "survey.followup.escalation_views",
)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    holder = {"today": TODAY}
    for module in MODULES:
        monkeypatch.setattr(f"{module}.beijing_today", lambda: holder["today"])
    return holder


@pytest.fixture
def issue(app, world, db_session):
    def _issue(agency=None, **fields):
        values = {
            "source_kind": "manual",
            "source_id": None,
            "title": "公开办事指南",
            "requirement": "在门户网站公开全部办事指南",
            "working_days": 60,
            "issued_on": TODAY,
            **fields,
        }
        with app.test_request_context(headers=ENGLISH):
            item = services.issue(db_session, world.supervisor, agency or world.agency_a, **values)
        db_session.commit()
        return item

    return _issue
