"""What a report says, gathered once: the run's document and, from the year's records, the
campaigns and their responses, the target sets, the on-site visits and duty findings, and the
rectification items. Plain data; the drafting and the documents read only this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.campaigns.models import AccessMode, Campaign, Token
from survey.clock import SHANGHAI
from survey.followup.models import ItemState, RectificationItem
from survey.responses.models import Response
from survey.responses.queries import is_excluded
from survey.scores.models import ScoringRun
from survey.scores.services import final_run
from survey.targets.models import SetState, TargetSet
from survey.verification.models import DutyFinding, Visit
from survey.years.models import AssessmentYear

# Rectification items still to be done (or to be checked) count as open problems.
OPEN_STATES = {
    ItemState.issued,
    ItemState.acknowledged,
    ItemState.in_progress,
    ItemState.submitted,
    ItemState.returned,
    ItemState.reopened,
}


@dataclass
class CampaignFacts:
    title: str
    group: str
    opens: dt.date
    closes: dt.date
    received: int
    valid: int
    invited: int | None  # tokens issued; None for an open link (no denominator)
    answered: int  # tokens used (one peer token rates many agencies: responses ≠ people)

    @property
    def rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


@dataclass
class Rectification:
    agency_id: int
    title: str
    requirement: str
    due_on: dt.date
    state: str
    overdue: bool


@dataclass
class Finding:
    agency_id: int
    kind: str
    severity: str
    description: str
    visited_on: dt.date | None


@dataclass
class ReportFacts:
    year: AssessmentYear
    run: ScoringRun
    document: dict
    is_final: bool
    today: dt.date
    previous: dict | None  # last year's final run document, when there is one
    campaigns: list[CampaignFacts] = field(default_factory=list)
    target_sets: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    visited_agencies: int = 0
    findings: list[Finding] = field(default_factory=list)
    rectifications: list[Rectification] = field(default_factory=list)

    @property
    def agencies(self) -> list[dict]:
        return self.document["agencies"]

    @property
    def jurisdiction(self) -> str:
        return self.year.jurisdiction.name


def gather(session: Session, run: ScoringRun, today: dt.date) -> ReportFacts:
    year = run.year
    final = final_run(session, year.id)
    facts = ReportFacts(
        year=year,
        run=run,
        document=run.result_data(),
        is_final=final is not None and final.id == run.id,
        today=today,
        previous=_previous_year(session, year),
    )
    facts.campaigns = _campaigns(session, year)
    facts.target_sets = {
        state.value: n
        for state, n in session.execute(
            select(TargetSet.state, func.count())
            .where(TargetSet.year_id == year.id)
            .group_by(TargetSet.state)
        )
    }
    for state in SetState:
        facts.target_sets.setdefault(state.value, 0)
    facts.visits, facts.visited_agencies = session.execute(
        select(func.count(Visit.id), func.count(func.distinct(Visit.agency_id))).where(
            Visit.year_id == year.id
        )
    ).one()
    visited_on = {
        v.id: v.visited_on for v in session.scalars(select(Visit).where(Visit.year_id == year.id))
    }
    facts.findings = [
        Finding(
            d.agency_id, d.kind.value, d.severity.value, d.description, visited_on.get(d.visit_id)
        )
        for d in session.scalars(
            select(DutyFinding).where(DutyFinding.year_id == year.id).order_by(DutyFinding.id)
        )
    ]
    facts.rectifications = [
        Rectification(
            item.agency_id,
            item.title,
            item.requirement,
            item.due_on,
            item.state.value,
            item.state in OPEN_STATES and item.due_on < today,
        )
        for item in session.scalars(
            select(RectificationItem)
            .join(Agency, Agency.id == RectificationItem.agency_id)
            .where(
                Agency.jurisdiction_id == year.jurisdiction_id,
                RectificationItem.issued_on >= dt.date(year.year, 1, 1),
                RectificationItem.issued_on <= dt.date(year.year + 1, 3, 31),
                RectificationItem.state.in_(OPEN_STATES),
            )
            .order_by(RectificationItem.due_on, RectificationItem.id)
        )
    ]
    return facts


def _previous_year(session: Session, year: AssessmentYear) -> dict | None:
    earlier = session.scalar(
        select(AssessmentYear).where(
            AssessmentYear.jurisdiction_id == year.jurisdiction_id,
            AssessmentYear.year == year.year - 1,
        )
    )
    run = final_run(session, earlier.id) if earlier is not None else None
    return run.result_data() if run is not None else None


def beijing_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(SHANGHAI).date()


def _campaigns(session: Session, year: AssessmentYear) -> list[CampaignFacts]:
    campaigns = session.scalars(
        select(Campaign).where(Campaign.year_id == year.id).order_by(Campaign.opens_at, Campaign.id)
    ).all()
    ids = [c.id for c in campaigns]
    received = dict(
        session.execute(
            select(Response.campaign_id, func.count())
            .where(Response.campaign_id.in_(ids))
            .group_by(Response.campaign_id)
        ).all()
    )
    valid = dict(
        session.execute(
            select(Response.campaign_id, func.count())
            .where(Response.campaign_id.in_(ids), ~is_excluded())
            .group_by(Response.campaign_id)
        ).all()
    )
    invited = dict(
        session.execute(
            select(Token.campaign_id, func.count())
            .where(Token.campaign_id.in_(ids), Token.revoked_at.is_(None))
            .group_by(Token.campaign_id)
        ).all()
    )
    answered = dict(
        session.execute(
            select(Token.campaign_id, func.count())
            .where(Token.campaign_id.in_(ids), Token.used_on.is_not(None))
            .group_by(Token.campaign_id)
        ).all()
    )
    return [
        CampaignFacts(
            title=c.title,
            group=c.respondent_group,
            opens=beijing_date(c.opens_at),
            closes=beijing_date(c.closes_at),
            received=received.get(c.id, 0),
            valid=valid.get(c.id, 0),
            invited=invited.get(c.id) if c.access_mode is AccessMode.tokens else None,
            answered=answered.get(c.id, 0),
        )
        for c in campaigns
    ]
