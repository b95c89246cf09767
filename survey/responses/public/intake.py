"""The respondents' intake: the one place where a posted page of answers is checked and where
a submit is written, for the open link and the token sitting alike.

It returns an ``Intake`` whose ``outcome`` the view maps to a page; it never renders,
redirects or reads the request (the views pass the form, the cookie's device id and the
address). A submit is the request's one unit of work: ``submit_*`` begin a fresh write
transaction, write, and commit, or roll back and say why, so the order of that ladder
(counted twice → already used → refused) is written once.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from survey.campaigns.models import Campaign
from survey.campaigns.queries import definition_of
from survey.db import fresh_sqlite_transaction
from survey.errors import DomainError
from survey.questionnaires.schema import AnswerSet, Definition, read_answers
from survey.responses import services
from survey.responses.public import integrity
from survey.responses.public.sitting import Sitting
from survey.responses.queries import already_submitted

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    valid = "valid"  # a page whose answers can be kept (stored, or saved in a draft)
    expired = "expired"  # the CSRF token had expired: show the answers again
    unknown_items = "unknown_items"  # fields of no item of the questionnaire
    invalid = "invalid"  # some answers need attention (``answers.errors``)
    incomplete = "incomplete"  # a sitting with agencies neither rated nor skipped
    stored = "stored"  # written and committed: the receipt
    counted = "counted"  # this very form was counted before: the same receipt
    spent = "spent"  # the token was used by another submission first
    refused = "refused"  # a rule of the survey refused it (``message``)


@dataclass(frozen=True)
class Intake:
    outcome: Outcome
    answers: AnswerSet | None = None
    message: str | None = None
    agency_id: int | None = None  # the sitting's agency whose saved answers need attention


def unknown_item_ids(definition: Definition, form) -> list[str]:
    known = {item.id for item in definition.items}
    return sorted(
        key for key in form if key != "csrf_token" and not key.startswith("_") and key not in known
    )


def read_page(definition: Definition, form, *, csrf_ok: bool) -> Intake:
    """One posted page of answers: ``valid``, or why it is shown again (with what was
    entered: an expired page or a wrong answer loses nothing)."""
    answers = read_answers(definition, form)
    if not csrf_ok:
        return Intake(Outcome.expired, answers)
    unknown = unknown_item_ids(definition, form)
    if unknown:
        message = _(
            "The form contained questions that are not in this questionnaire (%(ids)s). "
            "Please check your answers and submit again.",
            ids=", ".join(unknown[:5]),
        )
        return Intake(Outcome.unknown_items, answers, message)
    if not answers.ok:
        message = _("Some answers need your attention; they are marked below.")
        return Intake(Outcome.invalid, answers, message)
    return Intake(Outcome.valid, answers)


def _fresh_write_transaction(session: Session) -> None:
    """End the reads so that the next statement, a write, begins the transaction: on SQLite
    it then takes the write lock at once, instead of upgrading a read snapshot that another
    request may have outdated ("database is locked"). PostgreSQL needs no such care."""
    if session.get_bind().dialect.name == "sqlite":
        fresh_sqlite_transaction(session)


def _write(session: Session, write: Callable[[], object]) -> Intake:
    _fresh_write_transaction(session)
    try:
        write()
        session.commit()
    except IntegrityError:
        # The same form arrived twice at the same moment: the first one counted.
        session.rollback()
        return Intake(Outcome.counted)
    except services.TokenSpent as error:
        session.rollback()
        return Intake(Outcome.spent, message=str(error.message))
    except DomainError as error:
        session.rollback()
        return Intake(Outcome.refused, message=str(error.message))
    return Intake(Outcome.stored)


def save_progress(session: Session, campaign: Campaign, sitting: Sitting, progress: dict) -> None:
    """A sitting's page saved into its draft, in a transaction of its own that begins with
    the write (one upsert), so twenty deputies saving at once wait their turn, never fail."""
    _fresh_write_transaction(session)
    services.save_draft(session, campaign=campaign, token_hash=sitting.token_hash, answers=progress)
    session.commit()


def submit_open_link(
    session: Session,
    campaign: Campaign,
    agency_id: int,
    page: Intake,
    *,
    key: str,
    form,
    device_id: str | None,
    address: str | None,
) -> Intake:
    """Store a valid page of an open link about one agency, flagged if it looks suspicious
    (kept, never refused)."""
    if already_submitted(session, campaign.id, key):
        return Intake(Outcome.counted)
    flags, duration = integrity.check_open_link(campaign, agency_id, form, device_id, address)
    reference = services.CampaignRef.of(campaign)
    answers = page.answers.stored
    return _write(
        session,
        lambda: services.submit_single(
            session,
            campaign=reference,
            agency_ids={agency_id},  # the link itself says the agency is in the campaign
            agency_id=agency_id,
            answers=answers,
            submission_key=key,
            duration_seconds=duration,
            flags=flags,
        ),
    )


def submit_sitting(
    session: Session, campaign: Campaign, sitting: Sitting, *, key: str, today: dt.date
) -> Intake:
    """The final submit of a token sitting: at least one agency rated (a peer: every agency
    rated or skipped; ``Sitting.may_submit``), every saved page still valid, then the token
    consumed and one response per rated agency stored."""
    if not sitting.may_submit:
        if sitting.submits_early:
            message = _("Please rate at least one agency, then submit.")
        else:
            message = _("Some agencies are not rated yet: rate or skip each one, then submit.")
        return Intake(Outcome.incomplete, message=message)
    definition = definition_of(campaign)
    answers_by_agency = {}
    for agency in sitting.agencies:
        entry = sitting.entry(agency.id)
        if entry is None or entry.get("skipped"):  # not rated: counts as 不了解 (no answer)
            continue
        answers = read_answers(definition, MultiDict(entry["raw"]))
        if not answers.ok:  # a draft saved under an older rule: back to that agency
            return Intake(Outcome.invalid, answers, agency_id=agency.id)
        answers_by_agency[agency.id] = answers.stored
    token_hash, rater_agency_id = sitting.token_hash, sitting.rater_agency_id
    reference = services.CampaignRef.of(campaign)
    agency_ids = {agency.id for agency in sitting.agencies}
    # The token UPDATE is the first statement of the fresh transaction (services.py).
    result = _write(
        session,
        lambda: services.submit_sitting(
            session,
            campaign=reference,
            agency_ids=agency_ids,
            token_hash=token_hash,
            rater_agency_id=rater_agency_id,
            answers_by_agency=answers_by_agency,
            submission_key=key,
            today=today,
        ),
    )
    if result.outcome is Outcome.spent and already_submitted(session, campaign.id, key):
        return Intake(Outcome.counted)  # spent by this very submit, on a retry
    return result
