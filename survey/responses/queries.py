"""Reading campaigns and their responses within what a user may see.

A campaign belongs to its year's jurisdiction: a district office never sees a city campaign
(404, no existence leak). Whether a response counts is decided in SQL, the same way as
``Response.is_excluded``: a flagged response is excluded unless its latest review includes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import abort
from sqlalchemy import exists, false, func, not_, select
from sqlalchemy.orm import Session, selectinload

from survey.campaigns.models import Campaign
from survey.responses.models import FlagReason, FlagReview, Response, ResponseFlag

PAGE_SIZE = 20


# --- whether a response counts ----------------------------------------------------------


def is_flagged():
    return exists().where(ResponseFlag.response_id == Response.id)


def latest_include():
    """The ``include`` of the response's latest review (NULL when never reviewed)."""
    return (
        select(FlagReview.include)
        .where(FlagReview.response_id == Response.id)
        .order_by(FlagReview.id.desc())
        .limit(1)
        .correlate(Response)
        .scalar_subquery()
    )


def is_excluded():
    """SQL twin of ``Response.is_excluded`` (only flagged responses are ever reviewed)."""
    return is_flagged() & not_(func.coalesce(latest_include(), false()))


def excluded_ids(above: int, through: int | None = None, reviews_through: int | None = None):
    """The ids of the excluded responses with ``above < id <= through`` (of every campaign),
    as decided by their flags and the reviews with an id up to ``reviews_through`` (all when
    None): the same rule as ``is_excluded``, driven by the flags (few rows) rather than
    probed for each response."""
    include = select(FlagReview.include).where(FlagReview.response_id == ResponseFlag.response_id)
    if reviews_through is not None:
        include = include.where(FlagReview.id <= reviews_through)
    include = include.order_by(FlagReview.id.desc()).limit(1).correlate(ResponseFlag)
    chosen = select(ResponseFlag.response_id).where(
        ResponseFlag.response_id > above,
        not_(func.coalesce(include.scalar_subquery(), false())),
    )
    if through is not None:
        chosen = chosen.where(ResponseFlag.response_id <= through)
    return chosen


# --- flagged responses, a page at a time --------------------------------------------------


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def flagged_responses(
    session: Session,
    campaign: Campaign,
    *,
    reason: FlagReason | None = None,
    page: int = 1,
    total: int | None = None,
) -> Page:
    """A page of the campaign's flagged responses (of one reason). ``total``, when the caller
    has it (the campaign's tally keeps it), saves counting them."""
    flagged = select(ResponseFlag.response_id)
    if reason is not None:
        flagged = flagged.where(ResponseFlag.reason == reason)
    condition = [
        # The flags drive the query (few rows, then each response by its primary key): "+ 0"
        # keeps the campaign's index out of it, which SQLite would otherwise walk through
        # every response of the campaign, probing the flags for each (2.6 s a view at
        # 1,000,000 responses, bench/results.py).
        Response.campaign_id + 0 == campaign.id,
        Response.id.in_(flagged),
    ]
    if total is None:
        total = session.scalar(select(func.count(Response.id)).where(*condition)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    items = list(
        session.scalars(
            select(Response)
            .where(*condition)
            .options(
                selectinload(Response.answers),
                selectinload(Response.flags),
                selectinload(Response.reviews).selectinload(FlagReview.reviewer),
                selectinload(Response.agency),
                selectinload(Response.rater_agency),
            )
            .order_by(Response.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return Page(items=items, page=page, pages=pages, total=total)


def response_in_campaign_or_404(session: Session, campaign: Campaign, response_id) -> Response:
    response = session.get(Response, response_id) if isinstance(response_id, int) else None
    if response is None or response.campaign_id != campaign.id:
        abort(404)
    return response


def version_has_responses(session: Session, version_id: int) -> bool:
    return bool(
        session.scalar(select(exists().where(Response.questionnaire_version_id == version_id)))
    )


def already_submitted(session: Session, campaign_id: int, submission_key: str) -> bool:
    """Whether the form with this key was stored already (a double tap, a network retry)."""
    return session.scalar(
        select(
            exists().where(
                Response.campaign_id == campaign_id, Response.submission_key == submission_key
            )
        )
    )
