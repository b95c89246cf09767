"""Issue 17 item 8: a campaign's tally is stored with a watermark and extended by the new
responses only; the figures always equal a count from nothing — after batches, reviews, staff
changes, and a response whose lower id becomes visible after a higher one (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import func, insert, select, text, update

from survey.db import utcnow
from survey.responses.admin import tallies
from survey.responses.admin.results import campaign_results, current_results, flagged_total
from survey.responses.models import (
    Answer,
    CampaignTally,
    Channel,
    FlagReason,
    FlagReview,
    Response,
    ResponseFlag,
)
from survey.responses.services import insert_response
from tests.responses.admin.conftest import add_response, bulk_responses, make_campaign

LATER = dt.timedelta(hours=1)  # every row written in the test has settled by then
OLD = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def same_as_recount(session, campaign, now=None):
    session.expire_all()
    shown = current_results(session, campaign, now=now)
    assert shown == campaign_results(session, campaign)
    flagged = select(func.count(func.distinct(ResponseFlag.response_id))).join(Response)
    counted = session.scalar(flagged.where(Response.campaign_id == campaign.id))
    assert flagged_total(session, campaign, now=now) == counted
    for reason in FlagReason:
        counted = session.scalar(
            flagged.where(Response.campaign_id == campaign.id, ResponseFlag.reason == reason)
        )
        assert flagged_total(session, campaign, reason, now=now) == counted
    return shown


def stored(session, campaign):
    return session.execute(
        select(CampaignTally.covered_through, CampaignTally.reviews_through).where(
            CampaignTally.campaign_id == campaign.id
        )
    ).first()


def review(session, world, response_id, include):
    session.add(
        FlagReview(
            response_id=response_id, include=include, reason="核实", reviewer_id=world.supervisor.id
        )
    )
    session.commit()


def test_batches_equal_a_recount(db_session, world, campaign):
    a, b = world.agency_a, world.agency_b
    bulk_responses(db_session, campaign, a, 12, flagged_every=4, submitted_at=OLD, key="one")
    db_session.commit()
    first = same_as_recount(db_session, campaign)
    assert first.total == 12 and first.excluded == 3 and first.figures[0].shown
    covered = stored(db_session, campaign).covered_through
    assert covered == db_session.scalar(select(func.max(Response.id)))  # old rows: settled
    for _ in range(3):
        add_response(db_session, campaign, b, {"E1": "4", "contact": "online"})
    add_response(db_session, campaign, b, {"E1": "1"}, flags=[FlagReason.honeypot])
    add_response(
        db_session, campaign, b, {"E1": "2"}, flags=[FlagReason.honeypot, FlagReason.too_fast]
    )
    bulk_responses(db_session, campaign, b, 6, submitted_at=OLD + dt.timedelta(days=1), key="2")
    db_session.commit()
    # the fresh responses stay outside the stored watermark, counted on every view
    second = same_as_recount(db_session, campaign)
    assert second.total == 23 and stored(db_session, campaign).covered_through == covered
    third = same_as_recount(db_session, campaign, now=utcnow() + LATER)
    assert third.total == 23 and len(third.by_day) >= 2
    assert stored(db_session, campaign).covered_through > covered


def test_reviews_move_covered_responses(db_session, world, campaign):
    bulk_responses(db_session, campaign, world.agency_a, 10, flagged_every=3, submitted_at=OLD)
    db_session.commit()
    flagged = db_session.scalars(
        select(ResponseFlag.response_id).order_by(ResponseFlag.response_id)
    ).all()
    later = utcnow() + LATER
    assert same_as_recount(db_session, campaign, now=later).excluded == 4
    review(db_session, world, flagged[0], include=True)  # an excluded response now counts
    assert same_as_recount(db_session, campaign).excluded == 3  # the review counted fresh
    assert same_as_recount(db_session, campaign, now=later).excluded == 3  # ... and stored
    assert stored(db_session, campaign).reviews_through > 0
    review(db_session, world, flagged[0], include=False)
    review(db_session, world, flagged[1], include=True)
    assert same_as_recount(db_session, campaign, now=later).excluded == 3
    assert same_as_recount(db_session, campaign, now=later + LATER).excluded == 3


def tamper(session, campaign, agency_id, extra: int):
    """Add ``extra`` to the stored total of one agency: a recount would lose it."""
    state = session.scalar(
        select(CampaignTally.state).where(CampaignTally.campaign_id == campaign.id)
    )
    for row in state["agencies"]:
        if row[0] == agency_id:
            row[1] += extra
    session.execute(
        update(CampaignTally).where(CampaignTally.campaign_id == campaign.id).values(state=state)
    )
    session.commit()


def test_a_view_reads_only_the_new_responses(db_session, world, campaign):
    a = world.agency_a
    bulk_responses(db_session, campaign, a, 8, submitted_at=OLD)
    db_session.commit()
    current_results(db_session, campaign)
    tamper(db_session, campaign, a.id, 1000)
    add_response(db_session, campaign, a, {"E1": "5"})
    bulk_responses(db_session, campaign, a, 3, submitted_at=OLD, key="late")
    db_session.commit()
    later = utcnow() + LATER
    assert current_results(db_session, campaign, now=later).by_agency[0].total == 1012
    # staff changes are read at presentation: no recount either
    a.name = "改名后的机关"
    campaign.year.config = {**(campaign.year.config or {}), "min_cell_size": 3}
    db_session.commit()
    shown = current_results(db_session, campaign, now=later)
    assert shown.by_agency[0].label == "改名后的机关" and shown.by_agency[0].total == 1012
    assert shown.min_cell == 3
    tallies.current_tally(db_session, campaign.id, [i.id for i in shown.items], rebuild=True)
    assert same_as_recount(db_session, campaign, now=later).by_agency[0].total == 12


def test_a_rename_and_a_new_questionnaire_item_set_are_shown(db_session, world, campaign):
    bulk_responses(db_session, campaign, world.agency_a, 6, submitted_at=OLD)
    db_session.commit()
    same_as_recount(db_session, campaign)
    world.agency_a.name = "新名称"
    db_session.commit()
    assert same_as_recount(db_session, campaign).by_agency[0].label == "新名称"
    # a tally counted for fewer items is recounted, not shown with holes
    state = db_session.scalar(select(CampaignTally.state))
    state["items"] = ["E1"]
    state["cells"] = [c for c in state["cells"] if c[1] == "E1"]
    db_session.execute(update(CampaignTally).values(state=state))
    db_session.commit()
    cell = same_as_recount(db_session, campaign).figures[0].cells["C1"]
    assert (cell.n, cell.dont_know) == (5, 1)


def insert_with_id(session, campaign, agency, response_id, value):
    session.execute(
        insert(Response).values(
            id=response_id,
            campaign_id=campaign.id,
            agency_id=agency.id,
            questionnaire_version_id=campaign.questionnaire_version_id,
            channel=Channel.web,
            submission_key=secrets.token_hex(8),
            submitted_at=utcnow(),
            duration_seconds=60,
        )
    )
    session.execute(insert(Answer).values(response_id=response_id, item_id="E1", value=value))


def test_a_lower_id_visible_after_a_higher_one_is_counted(db_session, world, campaign, backend):
    """One connection plays both transactions: id X is drawn first, X + 1 is committed and
    viewed, and only then does X appear — what PostgreSQL's out-of-order commits look like."""
    a = world.agency_a
    bulk_responses(db_session, campaign, a, 5, submitted_at=OLD)
    db_session.commit()
    current_results(db_session, campaign)
    if backend == "postgresql":
        held = db_session.scalar(text("SELECT nextval(pg_get_serial_sequence('responses', 'id'))"))
        add_response(db_session, campaign, a, {"E1": "1"})
    else:
        held = db_session.scalar(select(func.max(Response.id))) + 1
        insert_with_id(db_session, campaign, a, held + 1, "1")
    db_session.commit()
    assert same_as_recount(db_session, campaign).total == 6
    insert_with_id(db_session, campaign, a, held, "2")
    db_session.commit()
    shown = same_as_recount(db_session, campaign)
    assert shown.total == 7 and shown.figures[0].cells["E1"].values["2"] == 2
    assert same_as_recount(db_session, campaign, now=utcnow() + LATER).total == 7
    assert stored(db_session, campaign).covered_through == held + 1


def test_out_of_order_commits_on_postgresql(committed, backend):
    """Two real transactions: the one holding the lower id commits last."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: its ids become visible in order")
    app, session, world = committed
    campaign = make_campaign(session, world)
    session.commit()
    factory = app.extensions["survey.db"]["session_factory"]
    slow, fast, viewer = factory(), factory(), factory()
    try:
        answers = {"E1": "3"}
        common = {"campaign": campaign, "rater_agency_id": None, "channel": Channel.web}
        low = insert_response(
            slow, agency_id=world.agency_a.id, answers=answers, submission_key="s", **common
        )
        high = insert_response(
            fast, agency_id=world.agency_a.id, answers=answers, submission_key="f", **common
        )
        fast.commit()
        assert low < high
        assert current_results(viewer, campaign).total == 1
        viewer.commit()
        slow.commit()
        assert current_results(viewer, campaign).total == 2
        viewer.commit()
        assert current_results(viewer, campaign, now=utcnow() + LATER).total == 2
        viewer.commit()
        assert stored(viewer, campaign).covered_through == high
    finally:
        for one in (slow, fast, viewer):
            one.close()


def test_two_views_extending_at_once_store_one_row(db_session, world, campaign):
    bulk_responses(db_session, campaign, world.agency_a, 5, submitted_at=OLD)
    db_session.commit()
    tally = tallies.current_tally(db_session, campaign.id, ["E1"])
    covered = stored(db_session, campaign).covered_through
    # a second view that read the row before the first stored it: its INSERT loses
    assert not tallies._store(db_session, campaign.id, None, covered, 0, tally)
    # one that read old watermarks: its conditional UPDATE matches nothing
    assert not tallies._store(db_session, campaign.id, (0, 0), covered, 0, tally)
    assert db_session.scalar(select(func.count()).select_from(CampaignTally)) == 1
