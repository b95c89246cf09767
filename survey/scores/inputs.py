"""Everything a year's scores are computed from, read in one read-only transaction, with a
checksum per source so that two runs can say whether their inputs differed and where."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.assessment.inputs import comprehensiveness_rows, timeliness_rows
from survey.indicators.queries import current_scores, live_agencies
from survey.scores import loading
from survey.scores.models import ScoreItem
from survey.scores.rules import ItemRow, SelfRow
from survey.targets.models import (
    AdjustmentState,
    SelfAssessment,
    SetState,
    Target,
    TargetAdjustment,
    TargetSet,
)
from survey.verification.models import ScoreAdjustment
from survey.years.models import AssessmentYear


@dataclass(frozen=True)
class AgencyRow:
    id: int
    name: str
    kind: str


@dataclass
class Inputs:
    year_id: int
    as_of: dt.date
    agencies: list[AgencyRow]
    items: list[loading.RatingItem]
    responses: pd.DataFrame
    timeliness: dict[int, list]
    coverage: dict[int, object]
    self_rows: dict[int, list[SelfRow]]
    indicators: dict[int, list[tuple[str, str, float, float]]]
    score_items: dict[int, list[ItemRow]]
    deadline_changes: dict[int, list[dict]]

    def release_responses(self) -> pd.DataFrame:
        """Hand the frame over (the inputs keep an empty one): count and checksum first."""
        frame, self.responses = self.responses, self.responses.iloc[0:0]
        return frame

    def counts(self) -> dict:
        frame = self.responses
        excluded = loading.excluded(frame["flags"])
        by_group = frame.groupby("group").size().to_dict() if len(frame) else {}
        return {
            "agencies": len(self.agencies),
            "responses": int(len(frame)),
            "responses_by_group": {str(k): int(v) for k, v in sorted(by_group.items())},
            "responses_excluded": int(excluded.sum()),
            "rating_items": len(self.items),
            "approved_targets": sum(len(rows) for rows in self.timeliness.values()),
            "agencies_with_approved_targets": len(self.timeliness),
            "self_assessed_targets": sum(len(rows) for rows in self.self_rows.values()),
            "duty_findings": sum(len(row.findings) for row in self.coverage.values()),
            "indicator_scores": sum(len(rows) for rows in self.indicators.values()),
            "score_items": sum(len(rows) for rows in self.score_items.values()),
        }

    def checksums(self) -> dict[str, str]:
        frame = self.responses
        hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy() if len(frame) else b""
        responses = hashlib.sha256(
            json.dumps(list(map(str, frame.columns))).encode() + bytes(hashed)
        ).hexdigest()
        return {
            "agencies": _digest(self.agencies),
            "responses": responses,
            "targets": _digest(self.timeliness, self.deadline_changes),
            "coverage": _digest(self.coverage),
            "self_assessment": _digest(
                {k: [vars(r) for r in v] for k, v in self.self_rows.items()}
            ),
            "indicators": _digest(self.indicators),
            "score_items": _digest(self.score_items),
        }


def canonical(value) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)


def _plain(value):
    """Plain JSON data of rows, enums, dates and sets (keys too), in a stable order."""
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=str)
    if hasattr(value, "__dataclass_fields__"):
        return _plain(vars(value))
    if hasattr(value, "value") and not isinstance(value, int | float | str):  # enums
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _digest(*values) -> str:
    return hashlib.sha256(canonical(values).encode()).hexdigest()


def begin_read_only(session: Session) -> None:
    """End whatever the session had open and start one snapshot for every read that follows
    (PostgreSQL: repeatable read, read only; SQLite: one read transaction)."""
    session.rollback()
    connection = session.connection()
    # Inside an enclosing transaction (a test's savepoint) its snapshot already holds.
    if connection.dialect.name == "postgresql" and not connection.in_nested_transaction():
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))


def gather(session: Session, year: AssessmentYear, as_of: dt.date) -> Inputs:
    """Read the year's inputs; the caller opened the read-only transaction."""
    agencies = [
        AgencyRow(agency.id, agency.name, agency.kind.value)
        for agency in live_agencies(session, year)
    ]
    known = {agency.id for agency in agencies}
    items = loading.rating_items(session, year.id)
    responses = loading.load_responses(session, year.id, items)
    responses = responses[responses["agency_id"].isin(known)].reset_index(drop=True)
    timeliness: dict[int, list] = defaultdict(list)
    for row in timeliness_rows(session, year, today=as_of, agency_ids=known):
        timeliness[row.agency_id].append(row)
    coverage = {
        row.agency_id: row
        for row in comprehensiveness_rows(session, year, known)
        if row.set_state is SetState.approved
    }
    return Inputs(
        year_id=year.id,
        as_of=as_of,
        agencies=agencies,
        items=items,
        responses=responses,
        timeliness=dict(timeliness),
        coverage=coverage,
        self_rows=_self_rows(session, year, known),
        indicators=_indicators(session, year, known),
        score_items=_score_items(session, year, known),
        deadline_changes=_deadline_changes(session, year),
    )


def _self_rows(session: Session, year: AssessmentYear, known: set[int]) -> dict:
    latest = (
        select(ScoreAdjustment.target_id, func.max(ScoreAdjustment.id).label("id"))
        .group_by(ScoreAdjustment.target_id)
        .subquery()
    )
    statement = (
        select(
            TargetSet.agency_id,
            Target.id,
            Target.title,
            Target.category,
            SelfAssessment.self_score,
            ScoreAdjustment.adjusted_score,
        )
        .join(TargetSet, Target.set_id == TargetSet.id)
        .join(SelfAssessment, SelfAssessment.target_id == Target.id)
        .outerjoin(latest, latest.c.target_id == Target.id)
        .outerjoin(ScoreAdjustment, ScoreAdjustment.id == latest.c.id)
        .where(
            TargetSet.year_id == year.id,
            TargetSet.state == SetState.approved,
            TargetSet.assessment_submitted_at.is_not(None),
            Target.withdrawn_at.is_(None),
        )
        .order_by(TargetSet.agency_id, Target.id)
    )
    rows: dict[int, list[SelfRow]] = defaultdict(list)
    for agency_id, target_id, title, category, own, adjusted in session.execute(statement):
        if agency_id in known:
            rows[agency_id].append(
                SelfRow(
                    agency_id,
                    target_id,
                    title,
                    category.value if category is not None else None,
                    float(own),
                    float(adjusted) if adjusted is not None else None,
                )
            )
    return dict(rows)


def _indicators(session: Session, year: AssessmentYear, known: set[int]) -> dict:
    rows: dict[int, list] = defaultdict(list)
    for score in current_scores(session, year):
        if score.agency_id in known:
            rows[score.agency_id].append(
                (score.indicator, score.source, float(score.score), float(score.max_score))
            )
    return dict(rows)


def _score_items(session: Session, year: AssessmentYear, known: set[int]) -> dict:
    rows: dict[int, list[ItemRow]] = defaultdict(list)
    statement = (
        select(ScoreItem, User.display_name)
        .join(User, User.id == ScoreItem.approved_by_id)
        .where(ScoreItem.year_id == year.id)
        .order_by(ScoreItem.agency_id, ScoreItem.id)
    )
    for item, approver in session.execute(statement):
        if item.agency_id in known:
            rows[item.agency_id].append(
                ItemRow(
                    item.id,
                    item.agency_id,
                    float(item.points),
                    item.reason,
                    item.basis,
                    approver,
                    item.reverses_id,
                )
            )
    return dict(rows)


def _deadline_changes(session: Session, year: AssessmentYear) -> dict[int, list[dict]]:
    """Approved adjustment requests that moved a target's deadline (already applied to the
    target: the explanation shows them)."""
    changes: dict[int, list[dict]] = defaultdict(list)
    statement = (
        select(TargetAdjustment)
        .join(Target, Target.id == TargetAdjustment.target_id)
        .join(TargetSet, Target.set_id == TargetSet.id)
        .where(TargetSet.year_id == year.id, TargetAdjustment.state == AdjustmentState.approved)
        .order_by(TargetAdjustment.id)
    )
    for adjustment in session.scalars(statement):
        if "deadline" in (adjustment.changes or {}):
            changes[adjustment.target_id].append(
                {
                    "before": adjustment.before.get("deadline"),
                    "after": adjustment.changes["deadline"],
                    "reason": adjustment.reason,
                }
            )
    return dict(changes)
