"""Token sittings: deputies and peers rate the campaign's agencies page by page, resume
later, and submit once."""

from __future__ import annotations

import logging

from flask import (
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from survey.campaigns.models import Campaign
from survey.campaigns.queries import definition_of
from survey.db import db, utcnow
from survey.errors import DomainError
from survey.extensions import csrf
from survey.questionnaires.schema import read_answers
from survey.responses import integrity, submit
from survey.responses import respondent as pages
from survey.responses.services import CampaignRef
from survey.responses.sitting import end_sitting, held_token, load_sitting

logger = logging.getLogger(__name__)

# -- token sittings --------------------------------------------------------------------------


def _sitting_or_problem(code: str, campaign: Campaign | None = None):
    campaign = campaign or pages.campaign_or_404(code)
    if not campaign.accepts_answers(utcnow()):
        return None, pages.closed_page(campaign)
    sitting = load_sitting(session, campaign)
    if sitting is not None:
        return sitting, None
    token = held_token(session, campaign)
    if token is not None and token.used_on is not None:
        # Submitted here or on another phone with the same code.
        return None, pages.problem_page(
            _("Code already used"),
            _("This code has already been used. Each code can be used once."),
            409,
        )
    return None, pages.problem_page(
        _("Please scan your code"),
        _(
            "This survey is answered with a personal code. Scan the QR code you were given, "
            "or enter the code on the survey's page. A code that has been submitted "
            "cannot be used again."
        ),
        403,
    )


@pages.respond.get("/S/<code>/sitting")
def sitting_overview(code: str):
    sitting, problem = _sitting_or_problem(code)
    if problem:
        return problem
    return render_template(
        "responses/public/sitting.html",
        sitting=sitting,
        campaign=sitting.campaign,
        key=integrity.form_key(),
    )


def _render_sitting_agency(sitting, agency, raw, errors, status=200, message=None):
    return (
        render_template(
            "responses/public/sitting_agency.html",
            sitting=sitting,
            campaign=sitting.campaign,
            agency=agency,
            definition=definition_of(sitting.campaign),
            raw=raw,
            errors=errors,
            message=message,
            position=[a.id for a in sitting.agencies].index(agency.id) + 1,
        ),
        status,
    )


@csrf.exempt
@pages.respond.route("/S/<code>/sitting/<int:agency_id>", methods=["GET", "POST"])
def sitting_agency(code: str, agency_id: int):
    csrf_ok = request.method != "POST" or pages.csrf_ok()
    if not csrf_ok and db.session.scalar(select(Campaign.id).where(Campaign.code == code)) is None:
        abort(400)
    sitting, problem = _sitting_or_problem(code)
    if problem:
        return problem
    if agency_id == sitting.rater_agency_id:
        return pages.problem_page(
            _("Not your own agency"),
            _("An agency never rates itself. Please go back and rate the other agencies."),
            403,
        )
    agency = next((a for a in sitting.agencies if a.id == agency_id), None)
    if agency is None:
        abort(404)
    definition = definition_of(sitting.campaign)
    entry = sitting.entry(agency_id) or {}
    if request.method == "GET":
        return _render_sitting_agency(sitting, agency, entry.get("raw", {}), {})

    form = request.form
    answers = read_answers(definition, form)
    if not csrf_ok:
        message = _("This page had expired. Your answers are kept: please check and save again.")
        return _render_sitting_agency(sitting, agency, answers.raw, {}, 400, message)
    if "_skip" in form:
        new_entry = {"skipped": True, "raw": {}}
    else:
        unknown = pages.unknown_item_ids(definition, form)
        if unknown:
            message = _(
                "The form contained questions that are not in this questionnaire (%(ids)s). "
                "Please check your answers and submit again.",
                ids=", ".join(unknown[:5]),
            )
            return _render_sitting_agency(
                sitting, agency, answers.raw, answers.errors, 400, message
            )
        if not answers.ok:
            message = _("Some answers need your attention; they are marked below.")
            return _render_sitting_agency(
                sitting, agency, answers.raw, answers.errors, 200, message
            )
        new_entry = {"skipped": False, "raw": answers.raw}
    progress = {**sitting.progress, str(agency_id): new_entry}
    submit.save_draft(
        db.session, campaign=sitting.campaign, token_hash=sitting.token_hash, answers=progress
    )
    db.session.commit()
    sitting.progress = progress
    following = sitting.next_pending(after_id=agency_id)
    if following is None:
        return redirect(url_for(".sitting_overview", code=code), 303)
    return redirect(url_for(".sitting_agency", code=code, agency_id=following.id), 303)


@csrf.exempt
@pages.respond.post("/S/<code>/sitting/submit")
def sitting_submit(code: str):
    if not pages.csrf_ok():
        # The progress is saved server-side: nothing is lost, the respondent submits again.
        return pages.problem_page(
            _("Page expired"),
            _("This page had expired. Your answers are saved: go back and submit again."),
            400,
        )
    campaign = pages.campaign_or_404(code)
    key = request.form.get(integrity.KEY_FIELD, "")
    sitting, problem = _sitting_or_problem(code, campaign)
    if problem:
        # A double tap or a network retry of a submit that went through: the same receipt.
        if key and submit.already_submitted(db.session, campaign.id, key):
            end_sitting(session)
            return redirect(url_for(".thanks", code=code), 303)
        return problem
    if not key:
        abort(400)
    if not sitting.is_complete:
        return render_template(
            "responses/public/sitting.html",
            sitting=sitting,
            campaign=campaign,
            key=key,
            message=_("Some agencies are not rated yet: rate or skip each one, then submit."),
        ), 200
    definition = definition_of(campaign)
    answers_by_agency = {}
    for agency in sitting.agencies:
        entry = sitting.entry(agency.id)
        if entry.get("skipped"):
            continue
        answers = read_answers(definition, MultiDict(entry["raw"]))
        if not answers.ok:  # a draft saved under an older rule: send the respondent back to it
            return redirect(url_for(".sitting_agency", code=code, agency_id=agency.id), 303)
        answers_by_agency[agency.id] = answers.stored
    token_hash, rater_agency_id = sitting.token_hash, sitting.rater_agency_id
    reference, agency_ids = CampaignRef.of(campaign), {agency.id for agency in sitting.agencies}
    # The token UPDATE must be the first statement of a fresh transaction (see submit.py).
    pages.fresh_write_transaction()
    try:
        submit.submit_sitting(
            db.session,
            campaign=reference,
            agency_ids=agency_ids,
            token_hash=token_hash,
            rater_agency_id=rater_agency_id,
            answers_by_agency=answers_by_agency,
            submission_key=key,
            today=pages.today(),
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same final submit twice at once: the first one counted
    except submit.TokenSpent as error:
        db.session.rollback()
        if not submit.already_submitted(db.session, campaign.id, key):
            end_sitting(session)
            return pages.problem_page(_("Code already used"), str(error.message), 409)
    except DomainError as error:
        db.session.rollback()
        return render_template(
            "responses/public/sitting.html",
            sitting=load_sitting(session, campaign),
            campaign=campaign,
            key=key,
            message=str(error.message),
        ), 200
    end_sitting(session)
    return redirect(url_for(".thanks", code=code), 303)
