"""Writing targets: drafting, the submission rules, review, and adjustments of approved targets.

Services take the acting user, flush, and raise ``DomainError`` with the message to show; the
view commits once. Every change is audit-logged in the same transaction.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.auditing import audited, record, snapshot
from survey.db import utcnow
from survey.errors import DomainError, check_revision
from survey.targets.models import SetState, Target, TargetSet
from survey.targets.queries import set_of
from survey.years.models import AssessmentYear

# The fields of a target an agency writes, in form order; all are needed at submission.
TARGET_FIELDS = (
    "title",
    "category",
    "duty",
    "basis",
    "standard",
    "section_id",
    "leader",
    "deadline",
    "expected_outcome",
    "oversight",
)
FIELD_LABELS = {
    "title": _l("title"),
    "category": _l("indicator category"),
    "duty": _l("duty attribute"),
    "basis": _l("basis"),
    "standard": _l("quantitative standard"),
    "section_id": _l("responsible section"),
    "leader": _l("leader in charge"),
    "deadline": _l("deadline"),
    "expected_outcome": _l("expected outcome"),
    "oversight": _l("supervision"),
}
SET_FIELDS = ("state", "review_comment", "submitted_by_id", "reviewed_by_id")


class SubmissionRefused(DomainError):
    """Each problem of a set that cannot be submitted yet, in the order a reader fixes them."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


EDITABLE_STATES = (SetState.draft, SetState.returned)  # TargetSet.is_editable


def claim_set(session: Session, target_set: TargetSet, *, editable: bool) -> None:
    """Move the set's revision on, in the database, if it is still in the state this request
    read. A change to one of its targets then cannot slip in after a concurrent approval (or a
    self-assessment after its sign-off), and a supervisor's or leader's page opened before the
    change is refused as stale. The UPDATE also holds the row until the commit (PostgreSQL)."""
    table = TargetSet.__table__
    if editable:
        condition = table.c.state.in_([state.value for state in EDITABLE_STATES])
    else:
        condition = (table.c.state == SetState.approved.value) & (
            table.c.assessment_submitted_at.is_(None)
        )
    result = session.execute(
        update(table)
        .where(table.c.id == target_set.id, condition)
        .values(revision=table.c.revision + 1)
    )
    session.expire(target_set, ["revision", "state", "assessment_submitted_at"])
    if result.rowcount != 1:
        raise DomainError(
            _l("The targets changed state while you were editing; nothing was saved.")
        )


def get_or_create_set(session: Session, agency: Agency, year: AssessmentYear) -> TargetSet:
    target_set = set_of(session, agency.id, year.id)
    if target_set is None:
        target_set = TargetSet(agency_id=agency.id, year_id=year.id)
        session.add(target_set)
        session.flush()
    return target_set


def check_values(agency: Agency, year: AssessmentYear, values: dict) -> None:
    section_id = values.get("section_id")
    if section_id is not None:
        live = {section.id for section in agency.live_sections}
        if section_id not in live:
            raise DomainError(_l("Choose one of your agency's sections."))
    deadline = values.get("deadline")
    if deadline is not None and deadline.year != year.year:
        raise DomainError(
            _l("The deadline must fall within %(year)d.", year=year.year),
        )


def save_target(
    session: Session,
    actor: User,
    target_set: TargetSet,
    values: dict,
    *,
    target: Target | None = None,
    revision: int | None = None,
) -> Target:
    """Create or change a target of an editable set. ``revision`` is the one the form showed."""
    target_set.year.require_editable()
    if not target_set.is_editable:
        raise DomainError(
            _l(
                "The targets are %(state)s: they change only through an adjustment request.",
                state=target_set.state.label,
            )
        )
    check_values(target_set.agency, target_set.year, values)
    claim_set(session, target_set, editable=True)
    if target is None:
        target = Target(target_set=target_set, **values)
        session.add(target)
        record(
            session,
            actor,
            "target.create",
            target,
            jurisdiction_id=target_set.agency.jurisdiction_id,
            after=snapshot(target, TARGET_FIELDS),
        )
        return target
    if target.withdrawn_at is not None:
        raise DomainError(_l("This target has been withdrawn."))
    check_revision(target, revision)
    with audited(
        session,
        actor,
        "target.update",
        target,
        TARGET_FIELDS,
        jurisdiction_id=target_set.agency.jurisdiction_id,
    ):
        for name, value in values.items():
            setattr(target, name, value)
        target.updated_at = utcnow()
        session.flush()
    return target


def withdraw_target(session: Session, actor: User, target: Target, revision: int | None) -> None:
    """A draft target is withdrawn, not deleted: the row and its history stay."""
    target_set = target.target_set
    target_set.year.require_editable()
    if not target_set.is_editable:
        raise DomainError(_l("Only targets of a draft or returned set can be withdrawn."))
    if target.withdrawn_at is not None:
        raise DomainError(_l("This target has already been withdrawn."))
    check_revision(target, revision)
    claim_set(session, target_set, editable=True)
    with audited(
        session,
        actor,
        "target.withdraw",
        target,
        ("title", "withdrawn_at"),
        jurisdiction_id=target_set.agency.jurisdiction_id,
    ):
        target.withdrawn_at = utcnow()
        session.flush()


def missing_fields(target: Target) -> list[str]:
    return [
        str(FIELD_LABELS[name])
        for name in TARGET_FIELDS
        if getattr(target, name) in (None, "")
        or (isinstance(getattr(target, name), str) and not getattr(target, name).strip())
    ]


def submission_problems(target_set: TargetSet) -> list[str]:
    """Everything that stops the set from being submitted, each said exactly."""
    config = target_set.year.settings
    year = target_set.year.year
    targets = target_set.live_targets
    problems = []
    minimum = config["min_targets"]
    if len(targets) < minimum:
        problems.append(
            str(
                _l(
                    "At least %(n)d targets are needed; there are %(count)d.",
                    n=minimum,
                    count=len(targets),
                )
            )
        )
    per_section = config["min_targets_per_business_section"]
    for section in target_set.agency.live_sections:
        if not section.is_business:
            continue
        count = sum(1 for target in targets if target.section_id == section.id)
        if count < per_section:
            problems.append(
                str(
                    _l(
                        "Business section %(section)s needs at least %(n)d target(s); it has"
                        " %(count)d.",
                        section=section.name,
                        n=per_section,
                        count=count,
                    )
                )
            )
    for number, target in enumerate(targets, start=1):
        missing = missing_fields(target)
        if missing:
            problems.append(
                str(
                    _l(
                        "Target %(number)d (%(title)s) is missing: %(fields)s.",
                        number=number,
                        title=target.title,
                        fields="、".join(missing),
                    )
                )
            )
        if target.deadline is not None and target.deadline.year != year:
            problems.append(
                str(
                    _l(
                        "Target %(number)d (%(title)s): the deadline must fall within %(year)d.",
                        number=number,
                        title=target.title,
                        year=year,
                    )
                )
            )
        section = target.section
        if section is not None and (section.deleted_at is not None):
            problems.append(
                str(
                    _l(
                        "Target %(number)d (%(title)s): its section has been removed; choose"
                        " another.",
                        number=number,
                        title=target.title,
                    )
                )
            )
    return problems


def submit_set(session: Session, leader: User, target_set: TargetSet, revision: int | None) -> None:
    leader.require_leader()
    target_set.year.require_editable()
    check_revision(target_set, revision)
    if not target_set.is_editable:
        raise DomainError(_l("Only a draft or returned set of targets can be submitted."))
    problems = submission_problems(target_set)
    if problems:
        raise SubmissionRefused(problems)
    with audited(
        session,
        leader,
        "targets.submit",
        target_set,
        SET_FIELDS,
        jurisdiction_id=target_set.agency.jurisdiction_id,
    ):
        target_set.submit(leader)
        session.flush()


def review_set(
    session: Session,
    supervisor: User,
    target_set: TargetSet,
    *,
    approve: bool,
    comment: str,
    revision: int | None,
) -> None:
    target_set.year.require_editable()
    check_revision(target_set, revision)
    with audited(
        session,
        supervisor,
        "targets.approve" if approve else "targets.return",
        target_set,
        SET_FIELDS,
        jurisdiction_id=target_set.agency.jurisdiction_id,
    ):
        if approve:
            target_set.approve(supervisor, comment)
        else:
            target_set.return_for_revision(supervisor, comment)
        session.flush()
