"""A campaign's raw tallies, kept in ``campaign_tallies`` and extended as responses arrive.

What is tallied: responses per agency (total, excluded), per rater agency, per Asia/Shanghai
day, flagged responses (in all and per reason: the flags page's totals), and answers per
agency × item × value of the counted (not excluded) responses, for every agency and every
item with figures. Everything a page decides — agency names and order, the minimum cell
size, which cells are shown, means — is left to ``results.py``, which does it at every view
(cheap), so a staff change never forces a count.

Why a tally can be kept: responses, their answers and their flags are append-only and written
in one transaction (``services.insert_response``, the only writer besides the demo's and the
benchmarks' bulk fills of an empty database). The one later change to a response's figures is
a review (``FlagReview``, append-only too: the latest counts), which moves a response between
excluded and counted.

The row says: every response of the campaign with an id up to ``covered_through`` is counted,
each excluded or not as its flags and the reviews with an id up to ``reviews_through`` decide.
A view reads the row and

1. applies the reviews in (``reviews_through``, R'] to the covered responses they concern
   (each one's contributions moved between excluded and counted);
2. counts the responses in (``covered_through``, W'] (primary-key ranges, so only the new
   rows are read) and adds them;
3. stores the row with W' and R' (one conditional UPDATE on the old watermarks, or an
   INSERT: of two servers extending at once, one wins and the other keeps its own result);
4. adds, for this view only, the reviews after R' and the responses after W', counted fresh.

W' and R' are *settled* watermarks. On PostgreSQL ids come from a sequence when a row is
inserted, not when it commits: a transaction holding id 100 may commit after id 101 is
visible, and a watermark moved to 101 would leave 100 out for ever. (SQLite serialises
writers, so its ids become visible in order; the same rule serves both.) A response's
``submitted_at`` is taken by the app just before its INSERT draws the id, and its transaction
commits soon after (a submit: milliseconds; the longest writer is an Excel import, at most
20,000 rows in one transaction — ``SETTLE`` must stay above its duration). So W' is the highest id
among the rows submitted more than ``SETTLE`` (10 minutes) ago and below the lowest id of
any newer row: a row with a lower id drew its id earlier, hence was submitted before that
too, hence has committed. The rows after W' (the last 10 minutes, and anything slower) are
counted fresh on every view until they settle; the same holds for reviews and their
``created_at``. The assumption is written down here because it is one: a transaction that
inserts a response and stays open longer than ``SETTLE``, or rows inserted with a back-dated
``submitted_at`` while the campaign is being viewed, could be missed; ``survey responses
tally --rebuild`` recounts from nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from survey.db import utcnow
from survey.responses.models import Answer, CampaignTally, FlagReview, Response, ResponseFlag
from survey.responses.queries import excluded_ids

logger = logging.getLogger(__name__)

SETTLE = dt.timedelta(minutes=10)
FORMAT = 2
LOCAL_OFFSET = "+8 hours"  # Asia/Shanghai has no daylight saving time


def local_day(session: Session, column):
    """The Asia/Shanghai calendar day of a UTC instant, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", column))
    return func.date(column, LOCAL_OFFSET)


def _iso_day(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@dataclass
class Tally:
    """Raw counts; ``cells[agency][item][value]`` (value None: 不了解)."""

    items: tuple[str, ...]
    agencies: dict[int, list[int]] = field(default_factory=dict)  # [total, excluded]
    raters: dict[int | None, list[int]] = field(default_factory=dict)
    days: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    flagged: int = 0  # responses with at least one flag
    cells: dict[int, dict[str, dict[str | None, int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )

    def add(self, other: Tally) -> None:
        for mine, theirs in ((self.agencies, other.agencies), (self.raters, other.raters)):
            for key, (total, excluded) in theirs.items():
                count = mine.setdefault(key, [0, 0])
                count[0] += total
                count[1] += excluded
        for mine, theirs in ((self.days, other.days), (self.reasons, other.reasons)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        self.flagged += other.flagged
        for agency_id, items in other.cells.items():
            for item_id, values in items.items():
                for value, n in values.items():
                    self._cell_add(agency_id, item_id, value, n)

    def _cell_add(self, agency_id: int, item_id: str, value: str | None, n: int) -> None:
        values = self.cells[agency_id][item_id]
        values[value] = values.get(value, 0) + n
        if values[value] == 0:
            del values[value]

    def move(self, agency_id, rater_id, answers: Iterable[tuple[str, str | None]], *, exclude):
        """One covered response changes sides: counted → excluded (or back)."""
        sign = 1 if exclude else -1
        self.agencies.setdefault(agency_id, [0, 0])[1] += sign
        self.raters.setdefault(rater_id, [0, 0])[1] += sign
        for item_id, value in answers:
            if item_id in self.items:
                self._cell_add(agency_id, item_id, value, -sign)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "items": list(self.items),
            "agencies": [[k, *v] for k, v in sorted(self.agencies.items())],
            "raters": [[k, *v] for k, v in sorted(self.raters.items(), key=lambda kv: kv[0] or 0)],
            "days": sorted(self.days.items()),
            "reasons": sorted(self.reasons.items()),
            "flagged": self.flagged,
            "cells": [
                [agency_id, item_id, value, n]
                for agency_id, items in sorted(self.cells.items())
                for item_id, values in items.items()
                for value, n in values.items()
            ],
        }

    @classmethod
    def from_json(cls, state: dict) -> Tally | None:
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            return None
        tally = cls(items=tuple(state["items"]))
        tally.agencies = {k: [t, e] for k, t, e in state["agencies"]}
        tally.raters = {k: [t, e] for k, t, e in state["raters"]}
        tally.days = dict(state["days"])
        tally.reasons = dict(state["reasons"])
        tally.flagged = state["flagged"]
        for agency_id, item_id, value, n in state["cells"]:
            tally.cells[agency_id][item_id][value] = n
        return tally


def _in_range(above: int, through: int | None, campaign_id: int) -> list:
    # "+ 0": the primary key's range drives the query, not the campaign's index (which would
    # walk every response of the campaign to find the few new ones).
    condition = [Response.campaign_id + 0 == campaign_id, Response.id > above]
    if through is not None:
        condition.append(Response.id <= through)
    return condition


def count(
    session: Session,
    campaign_id: int,
    items: Sequence[str],
    *,
    above: int = 0,
    through: int | None = None,
    reviews_through: int | None = None,
) -> Tally:
    """The tally of the campaign's responses with ``above < id <= through`` (None: no upper
    bound), their exclusions decided by the reviews up to ``reviews_through`` (None: all)."""
    tally = Tally(items=tuple(items))
    where = _in_range(above, through, campaign_id)
    excluded = excluded_ids(above, through, reviews_through)
    day = local_day(session, Response.submitted_at)
    for value, agency_id, rater_id, n in session.execute(
        # The day first: grouped by the agency first, SQLite walks the whole table along the
        # agency index (to save a sort) instead of the few rows of the id range (170 ms
        # against 0.1 ms for a tail of 5 rows at 1,000,000 responses).
        select(day, Response.agency_id, Response.rater_agency_id, func.count())
        .where(*where)
        .group_by(day, Response.agency_id, Response.rater_agency_id)
    ):
        tally.agencies.setdefault(agency_id, [0, 0])[0] += n
        tally.raters.setdefault(rater_id, [0, 0])[0] += n
        key = _iso_day(value)
        tally.days[key] = tally.days.get(key, 0) + n
    for agency_id, rater_id, n in session.execute(
        select(Response.agency_id, Response.rater_agency_id, func.count())
        .where(*where, Response.id.in_(excluded))
        .group_by(Response.agency_id, Response.rater_agency_id)
    ):
        # (setdefault: under READ COMMITTED an unbounded count's statements may each see a
        # response that committed in between)
        tally.agencies.setdefault(agency_id, [0, 0])[1] += n
        tally.raters.setdefault(rater_id, [0, 0])[1] += n
    flag_range = [ResponseFlag.response_id > above]
    if through is not None:
        flag_range.append(ResponseFlag.response_id <= through)
    for reason, n in session.execute(
        select(ResponseFlag.reason, func.count())
        .join(Response, Response.id == ResponseFlag.response_id)
        .where(*where, *flag_range)
        .group_by(ResponseFlag.reason)
    ):
        tally.reasons[reason.value] = n
    tally.flagged = (
        session.scalar(
            select(func.count(func.distinct(ResponseFlag.response_id)))
            .join(Response, Response.id == ResponseFlag.response_id)
            .where(*where, *flag_range)
        )
        or 0
    )
    if items:
        answer_range = [Answer.response_id > above]
        if through is not None:
            answer_range.append(Answer.response_id <= through)
        for agency_id, item_id, value, n in session.execute(
            select(Response.agency_id, Answer.item_id, Answer.value, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(
                *where,
                *answer_range,
                Answer.item_id.in_(list(items)),
                Response.id.not_in(excluded),
            )
            .group_by(Response.agency_id, Answer.item_id, Answer.value)
        ):
            tally.cells[agency_id][item_id][value] = n
    return tally


def _apply_reviews(
    session: Session, tally: Tally, campaign_id: int, covered: int, after: int, upto: int
) -> None:
    """Move the covered responses whose exclusion the reviews in (after, upto] change."""
    reviewed = list(
        session.scalars(
            select(FlagReview.response_id)
            .join(Response, Response.id == FlagReview.response_id)
            .where(
                FlagReview.id > after,
                FlagReview.id <= upto,
                Response.id <= covered,
                Response.campaign_id == campaign_id,
            )
            .distinct()
        )
    )
    if not reviewed:
        return
    flagged = set(
        session.scalars(
            select(ResponseFlag.response_id).where(ResponseFlag.response_id.in_(reviewed))
        )
    )
    before: dict[int, bool] = {}
    now: dict[int, bool] = {}
    for response_id, review_id, include in session.execute(
        select(FlagReview.response_id, FlagReview.id, FlagReview.include)
        .where(FlagReview.response_id.in_(reviewed), FlagReview.id <= upto)
        .order_by(FlagReview.id)
    ):
        if review_id <= after:
            before[response_id] = include
        now[response_id] = include
    changed = {
        response_id: not now.get(response_id, False)
        for response_id in reviewed
        if response_id in flagged
        and (not before.get(response_id, False)) != (not now.get(response_id, False))
    }
    if not changed:
        return
    answers = defaultdict(list)
    for response_id, item_id, value in session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value).where(
            Answer.response_id.in_(list(changed))
        )
    ):
        answers[response_id].append((item_id, value))
    for response_id, agency_id, rater_id in session.execute(
        select(Response.id, Response.agency_id, Response.rater_agency_id).where(
            Response.id.in_(list(changed))
        )
    ):
        tally.move(agency_id, rater_id, answers[response_id], exclude=changed[response_id])


def _settled(session: Session, id_column, time_column, above: int, before: dt.datetime) -> int:
    """The highest id above ``above`` written before ``before`` and below every row written
    since (see the module's docstring); ``above`` when there is none."""
    first_unsettled = (
        select(func.min(id_column))
        .where(id_column > above, time_column >= before)
        .scalar_subquery()
    )
    highest = select(func.max(id_column)).where(
        id_column > above,
        time_column < before,
        or_(first_unsettled.is_(None), id_column < first_unsettled),
    )
    return session.scalar(highest) or above


def _store(session: Session, campaign_id: int, old, covered: int, reviews: int, tally) -> bool:
    """Replace the campaign's row if its watermarks are still ``old`` (None: no row yet), in
    one transaction of its own. False when another view got there first (or the database
    is busy): this view keeps its own result, which is as correct."""
    table = CampaignTally.__table__
    values = {
        "covered_through": covered,
        "reviews_through": reviews,
        "state": tally.to_json(),
        "updated_at": utcnow(),
    }
    writer = Session(bind=session.get_bind(), join_transaction_mode="create_savepoint")
    try:
        with writer.begin():
            if old is None:
                writer.execute(insert(table).values(campaign_id=campaign_id, **values))
                return True
            result = writer.execute(
                update(table)
                .where(
                    table.c.campaign_id == campaign_id,
                    table.c.covered_through == old[0],
                    table.c.reviews_through == old[1],
                )
                .values(**values)
            )
            return result.rowcount == 1
    except (IntegrityError, OperationalError) as error:
        logger.info("campaign %s tallies not stored (%s)", campaign_id, error.orig)
        return False
    finally:
        writer.close()


def current_tally(
    session: Session,
    campaign_id: int,
    items: Sequence[str],
    *,
    now: dt.datetime | None = None,
    rebuild: bool = False,
) -> Tally:
    """The campaign's tally of every visible response: the stored one brought up to date
    (and stored again when its watermarks moved), plus the unsettled rest."""
    settled_before = (now or utcnow()) - SETTLE
    row = session.execute(
        select(
            CampaignTally.covered_through, CampaignTally.reviews_through, CampaignTally.state
        ).where(CampaignTally.campaign_id == campaign_id)
    ).first()
    tally = None if row is None or rebuild else Tally.from_json(row.state)
    restart = tally is None or not set(items) <= set(tally.items)
    if restart:  # nothing stored yet, or counted for other items (the questionnaire changed)
        tally, covered, reviews = Tally(items=tuple(items)), 0, 0
    else:
        covered, reviews = row.covered_through, row.reviews_through
    old = None if row is None else (row.covered_through, row.reviews_through)
    new_reviews = _settled(session, FlagReview.id, FlagReview.created_at, reviews, settled_before)
    new_covered = _settled(session, Response.id, Response.submitted_at, covered, settled_before)
    if new_reviews > reviews:
        _apply_reviews(session, tally, campaign_id, covered, reviews, new_reviews)
    if new_covered > covered:
        tally.add(
            count(
                session,
                campaign_id,
                tally.items,
                above=covered,
                through=new_covered,
                reviews_through=new_reviews,
            )
        )
    if restart or (new_covered, new_reviews) != (covered, reviews):
        _store(session, campaign_id, old, new_covered, new_reviews, tally)
    # For this view only: what has not settled yet.
    newest_review = session.scalar(select(func.max(FlagReview.id))) or 0
    if newest_review > new_reviews:
        _apply_reviews(session, tally, campaign_id, new_covered, new_reviews, newest_review)
    tally.add(count(session, campaign_id, tally.items, above=new_covered))
    return tally
