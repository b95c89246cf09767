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

from survey.campaigns.models import Campaign
from survey.campaigns.queries import definition_of
from survey.db import db, utcnow
from survey.extensions import csrf
from survey.responses.public import again, intake, integrity, pages
from survey.responses.public.intake import Outcome
from survey.responses.public.sitting import (
    campaign_and_held,
    end_sitting,
    held_token,
    load_sitting,
    sitting_of,
)
from survey.responses.queries import already_submitted

logger = logging.getLogger(__name__)

# -- token sittings --------------------------------------------------------------------------


def _campaign_and_held(code: str):
    found = campaign_and_held(session, code)
    return found if found is not None else (pages.campaign_or_404(code), None)


def _sitting_or_problem(code: str, found=None):
    """The sitting this browser holds in campaign ``code``, or the page saying why not;
    ``found`` is the campaign and held token when the caller has read them already."""
    campaign, held = found or _campaign_and_held(code)
    if not campaign.accepts_answers(utcnow()):
        return None, pages.closed_page(campaign)
    sitting = sitting_of(campaign, held)
    if sitting is not None:
        return sitting, None
    token = held_token(held)
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
        definition=definition_of(sitting.campaign),
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
        kept = again.take(session, request.path)
        if kept:  # a save that needed attention, redirected here (post/redirect/get)
            return _render_sitting_agency(
                sitting, agency, kept["raw"], kept["errors"], message=kept["message"]
            )
        return _render_sitting_agency(sitting, agency, entry.get("raw", {}), {})

    form = request.form
    page = intake.read_page(definition, form, csrf_ok=csrf_ok)
    if page.outcome is Outcome.expired:
        message = _("This page had expired. Your answers are kept: please check and save again.")
        return _render_sitting_agency(sitting, agency, page.answers.raw, {}, 400, message)
    if "_skip" in form:
        new_entry = {"skipped": True, "raw": {}}
    elif page.outcome is Outcome.valid:
        new_entry = {"skipped": False, "raw": page.answers.raw}
    else:  # unknown items or answers that need attention
        status = 400 if page.outcome is Outcome.unknown_items else 200
        raw, errors = page.answers.raw, page.answers.errors
        if status == 200 and again.keep(
            session, request.path, raw=raw, errors=errors, message=page.message
        ):
            return redirect(request.path, 303)
        return _render_sitting_agency(
            sitting, agency, page.answers.raw, page.answers.errors, status, page.message
        )
    progress = {**sitting.progress, str(agency_id): new_entry}
    intake.save_progress(db.session, sitting.campaign, sitting, progress)
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
    found = _campaign_and_held(code)
    campaign = found[0]
    key = request.form.get(integrity.KEY_FIELD, "")
    sitting, problem = _sitting_or_problem(code, found)
    if problem:
        # A double tap or a network retry of a submit that went through: the same receipt.
        if key and already_submitted(db.session, campaign.id, key):
            end_sitting(session)
            return redirect(url_for(".thanks", code=code), 303)
        return problem
    if not key:
        abort(400)
    result = intake.submit_sitting(db.session, campaign, sitting, key=key, today=pages.today())
    if result.outcome is Outcome.invalid:
        return redirect(url_for(".sitting_agency", code=code, agency_id=result.agency_id), 303)
    if result.outcome is Outcome.spent:
        end_sitting(session)
        return pages.problem_page(_("Code already used"), result.message, 409)
    if result.outcome in {Outcome.incomplete, Outcome.refused}:
        if result.outcome is Outcome.refused:  # rolled back: read the sitting again
            sitting = load_sitting(session, campaign)
        return render_template(
            "responses/public/sitting.html",
            sitting=sitting,
            campaign=campaign,
            definition=definition_of(campaign),
            key=key,
            message=result.message,
        ), 200
    end_sitting(session)  # stored, or counted before: the same receipt
    return redirect(url_for(".thanks", code=code), 303)
