"""The respondents' pages (public portal): open links, token links and token sittings.

Server-rendered, no JavaScript, small enough for WeChat's built-in browser. Answers are never
lost: a failed validation or an expired CSRF token re-renders the form with what was entered,
and a token sitting keeps its progress server-side (drafts) so it can be resumed.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from survey.campaigns.links import hash_token, normalise_token
from survey.campaigns.models import Campaign, CampaignAgency, Token
from survey.db import db, utcnow
from survey.errors import DomainError
from survey.extensions import csrf
from survey.questionnaires.schema import read_answers
from survey.responses import integrity, submit
from survey.responses.services import CampaignRef
from survey.responses.sitting import end_sitting, held_token, load_sitting, start_sitting

logger = logging.getLogger(__name__)

respond = Blueprint("respond", __name__)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _today() -> dt.date:
    return utcnow().astimezone(SHANGHAI).date()


@respond.after_request
def _never_cache(response):
    # Respondent pages carry per-session CSRF tokens and answers: never cache them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_ok() -> bool:
    try:
        csrf.protect()
    except CSRFError:
        return False
    return True


def _campaign_or_404(code: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        abort(404)
    return campaign


def _closed_page(campaign: Campaign):
    now = utcnow()
    not_yet = campaign.state.value == "draft" or now < campaign.opens_at
    return render_template("responses/public/closed.html", campaign=campaign, not_yet=not_yet), 200


def _fresh_write_transaction() -> None:
    """End the reads so that the next statement, a write, begins the transaction: on SQLite
    it then takes the write lock at once, instead of upgrading a read snapshot that another
    request may have outdated ("database is locked"). PostgreSQL needs no such care."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()


def _unknown_item_ids(definition, form) -> list[str]:
    known = {item.id for item in definition.items}
    return sorted(
        key for key in form if key != "csrf_token" and not key.startswith("_") and key not in known
    )


# -- open links ------------------------------------------------------------------------------


@respond.get("/S/<code>")
def campaign_link(code: str):
    campaign = _campaign_or_404(code)
    if not campaign.accepts_answers(utcnow()):
        return _closed_page(campaign)
    if campaign.uses_tokens:
        return render_template("responses/public/token_entry.html", campaign=campaign)
    return render_template("responses/public/choose_agency.html", campaign=campaign)


def _render_answer(campaign, link, definition, raw, errors, key, stamp, status=200, message=None):
    response = make_response(
        render_template(
            "responses/public/answer.html",
            campaign=campaign,
            link=link,
            definition=definition,
            raw=raw,
            errors=errors,
            key=key,
            stamp=stamp,
            message=message,
            honeypot=integrity.HONEYPOT_FIELD,
        ),
        status,
    )
    if not request.cookies.get(integrity.DEVICE_COOKIE):
        response.set_cookie(
            integrity.DEVICE_COOKIE,
            integrity.new_device_id(),
            max_age=integrity.DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@csrf.exempt
@respond.route("/A/<code>", methods=["GET", "POST"])
def agency_link(code: str):
    csrf_ok = request.method != "POST" or _csrf_ok()
    link = db.session.scalar(
        select(CampaignAgency)
        .options(
            joinedload(CampaignAgency.campaign),
            joinedload(CampaignAgency.agency),
        )
        .where(CampaignAgency.code == code)
    )
    if link is None:
        abort(404 if csrf_ok else 400)
    campaign = link.campaign
    if not campaign.accepts_answers(utcnow()):
        return _closed_page(campaign)
    if campaign.uses_tokens:
        return render_template("responses/public/token_entry.html", campaign=campaign)
    definition = submit.definition_of(campaign)
    if request.method == "GET":
        return _render_answer(
            campaign, link, definition, {}, {}, integrity.form_key(), integrity.form_stamp()
        )

    form = request.form
    key = form.get(integrity.KEY_FIELD) or integrity.form_key()
    stamp = form.get(integrity.STAMP_FIELD) or integrity.form_stamp()
    answers = read_answers(definition, form)
    if not csrf_ok:
        message = _("This page had expired. Your answers are kept: please check and submit again.")
        return _render_answer(campaign, link, definition, answers.raw, {}, key, stamp, 400, message)
    unknown = _unknown_item_ids(definition, form)
    if unknown:
        message = _(
            "The form contained questions that are not in this questionnaire (%(ids)s). "
            "Please check your answers and submit again.",
            ids=", ".join(unknown[:5]),
        )
        return _render_answer(
            campaign, link, definition, answers.raw, answers.errors, key, stamp, 400, message
        )
    if not answers.ok:
        message = _("Some answers need your attention; they are marked below.")
        return _render_answer(
            campaign, link, definition, answers.raw, answers.errors, key, stamp, 200, message
        )
    if submit.already_submitted(db.session, campaign.id, key):
        return redirect(url_for(".thanks", code=campaign.code), 303)

    flags, duration = integrity.check_open_link(
        campaign,
        link.agency_id,
        form,
        request.cookies.get(integrity.DEVICE_COOKIE),
        request.remote_addr,
    )
    agency_id, reference = link.agency_id, CampaignRef.of(campaign)
    agency_ids = {agency_id}  # the link itself says the agency is in the campaign
    _fresh_write_transaction()
    try:
        submit.submit_single(
            db.session,
            campaign=reference,
            agency_ids=agency_ids,
            agency_id=agency_id,
            answers=answers.stored,
            submission_key=key,
            duration_seconds=duration,
            flags=flags,
        )
        db.session.commit()
    except IntegrityError:
        # The same form arrived twice at the same moment: the first one counted.
        db.session.rollback()
    except DomainError as error:
        db.session.rollback()
        return _render_answer(
            campaign, link, definition, answers.raw, {}, key, stamp, 400, str(error.message)
        )
    return redirect(url_for(".thanks", code=campaign.code), 303)


@respond.get("/S/<code>/done")
def thanks(code: str):
    campaign = _campaign_or_404(code)
    definition = submit.definition_of(campaign)
    return render_template("responses/public/thanks.html", campaign=campaign, definition=definition)


# -- tokens ----------------------------------------------------------------------------------


def _token_problem(title: str, message: str, status: int = 200):
    return (
        render_template("responses/public/problem.html", title=title, message=message),
        status,
    )


def _enter_with_token(token: str | None):
    """Check a token and open its sitting, then send the respondent to a clean address."""
    row = None
    if token is not None:
        row = db.session.scalar(select(Token).where(Token.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return _token_problem(
            _("Invalid code"),
            _("This code is not valid. Please check it, or ask the organiser for a new one."),
            404,
        )
    campaign = row.campaign
    if row.used_on is not None:
        return _token_problem(
            _("Code already used"),
            _("This code has already been used. Each code can be used once."),
        )
    if not campaign.accepts_answers(utcnow()):
        return _closed_page(campaign)
    start_sitting(session, campaign, row)
    return redirect(url_for(".sitting_overview", code=campaign.code), 303)


@respond.get("/T/<token>")
def token_link(token: str):
    return _enter_with_token(normalise_token(token))


@respond.post("/S/<code>/token")
def token_entry(code: str):
    campaign = _campaign_or_404(code)
    token = normalise_token(request.form.get("token", ""))
    if token is None:
        return render_template(
            "responses/public/token_entry.html",
            campaign=campaign,
            error=_("A code has 26 letters and digits. Please check what you typed."),
        ), 200
    return _enter_with_token(token)


# -- token sittings --------------------------------------------------------------------------


def _sitting_or_problem(code: str, campaign: Campaign | None = None):
    campaign = campaign or _campaign_or_404(code)
    if not campaign.accepts_answers(utcnow()):
        return None, _closed_page(campaign)
    sitting = load_sitting(session, code)
    if sitting is not None:
        return sitting, None
    token = held_token(session, code)
    if token is not None and token.used_on is not None:
        # Submitted here or on another phone with the same code.
        return None, _token_problem(
            _("Code already used"),
            _("This code has already been used. Each code can be used once."),
            409,
        )
    return None, _token_problem(
        _("Please scan your code"),
        _(
            "This survey is answered with a personal code. Scan the QR code you were given, "
            "or enter the code on the survey's page. A code that has been submitted "
            "cannot be used again."
        ),
        403,
    )


@respond.get("/S/<code>/sitting")
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
            definition=submit.definition_of(sitting.campaign),
            raw=raw,
            errors=errors,
            message=message,
            position=[a.id for a in sitting.agencies].index(agency.id) + 1,
        ),
        status,
    )


@csrf.exempt
@respond.route("/S/<code>/sitting/<int:agency_id>", methods=["GET", "POST"])
def sitting_agency(code: str, agency_id: int):
    csrf_ok = request.method != "POST" or _csrf_ok()
    if not csrf_ok and db.session.scalar(select(Campaign.id).where(Campaign.code == code)) is None:
        abort(400)
    sitting, problem = _sitting_or_problem(code)
    if problem:
        return problem
    if agency_id == sitting.rater_agency_id:
        return _token_problem(
            _("Not your own agency"),
            _("An agency never rates itself. Please go back and rate the other agencies."),
            403,
        )
    agency = next((a for a in sitting.agencies if a.id == agency_id), None)
    if agency is None:
        abort(404)
    definition = submit.definition_of(sitting.campaign)
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
        unknown = _unknown_item_ids(definition, form)
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
@respond.post("/S/<code>/sitting/submit")
def sitting_submit(code: str):
    if not _csrf_ok():
        # The progress is saved server-side: nothing is lost, the respondent submits again.
        return _token_problem(
            _("Page expired"),
            _("This page had expired. Your answers are saved: go back and submit again."),
            400,
        )
    campaign = _campaign_or_404(code)
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
    definition = submit.definition_of(campaign)
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
    _fresh_write_transaction()
    try:
        submit.submit_sitting(
            db.session,
            campaign=reference,
            agency_ids=agency_ids,
            token_hash=token_hash,
            rater_agency_id=rater_agency_id,
            answers_by_agency=answers_by_agency,
            submission_key=key,
            today=_today(),
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same final submit twice at once: the first one counted
    except submit.TokenSpent as error:
        db.session.rollback()
        if not submit.already_submitted(db.session, campaign.id, key):
            end_sitting(session)
            return _token_problem(_("Code already used"), str(error.message), 409)
    except DomainError as error:
        db.session.rollback()
        return render_template(
            "responses/public/sitting.html",
            sitting=load_sitting(session, code),
            campaign=campaign,
            key=key,
            message=str(error.message),
        ), 200
    end_sitting(session)
    return redirect(url_for(".thanks", code=code), 303)
