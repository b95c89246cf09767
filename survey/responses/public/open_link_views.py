"""Open links (the QR poster at a service window, the survey's own QR) and token entry."""

from __future__ import annotations

import logging

from flask import (
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.campaigns.links import hash_token, normalise_token
from survey.campaigns.models import Campaign, CampaignAgency, Token
from survey.campaigns.queries import definition_of
from survey.db import db, utcnow
from survey.extensions import csrf
from survey.responses.public import again, chooser, intake, integrity, pages
from survey.responses.public.intake import Outcome
from survey.responses.public.sitting import start_sitting

logger = logging.getLogger(__name__)

# The scanned code between /T/<token> and /T (the signed session; never an address).
PENDING_TOKEN = "entering"  # noqa: S105 -- a session key, not a secret

# -- open links ------------------------------------------------------------------------------


@pages.respond.get("/S/<code>")
def campaign_link(code: str):
    campaign = pages.campaign_or_404(code)
    if not campaign.accepts_answers(utcnow()):
        return pages.closed_page(campaign)
    if campaign.uses_tokens:
        return render_template("responses/public/token_entry.html", campaign=campaign)
    return _choose_agency(campaign)


def _choose_agency(campaign):
    query = chooser.clean_query(request.args.get("q"))
    groups = chooser.agency_groups(campaign, query)
    return render_template(
        "responses/public/choose_agency.html",
        campaign=campaign,
        groups=groups,
        query=query,
        found=sum(len(group.links) for group in groups),
    )


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
    if not integrity.issued_device_id(request.cookies.get(integrity.DEVICE_COOKIE)):
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
@pages.respond.route("/A/<code>", methods=["GET", "POST"])
def agency_link(code: str):
    csrf_ok = request.method != "POST" or pages.csrf_ok()
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
        return pages.closed_page(campaign)
    if campaign.uses_tokens:
        return render_template("responses/public/token_entry.html", campaign=campaign)
    definition = definition_of(campaign)
    if request.method == "GET":
        kept = again.take(session, request.path)
        if kept:  # a submit that needed attention, redirected here (post/redirect/get)
            return _render_answer(
                campaign,
                link,
                definition,
                kept["raw"],
                kept["errors"],
                kept["key"],
                kept["stamp"],
                message=kept["message"],
            )
        key = integrity.form_key()
        return _render_answer(campaign, link, definition, {}, {}, key, integrity.form_stamp(key))

    form = request.form
    key = form.get(integrity.KEY_FIELD) or integrity.form_key()
    stamp = form.get(integrity.STAMP_FIELD) or integrity.form_stamp(key)
    page = result = intake.read_page(definition, form, csrf_ok=csrf_ok)
    if page.outcome is Outcome.valid:
        result = intake.submit_open_link(
            db.session,
            campaign,
            link.agency_id,
            page,
            key=key,
            form=form,
            device_id=request.cookies.get(integrity.DEVICE_COOKIE),
            address=request.remote_addr,
        )
    if result.outcome in {Outcome.stored, Outcome.counted}:
        return redirect(url_for(".thanks", code=campaign.code), 303)
    raw = page.answers.raw  # what was entered is always shown again
    if result.outcome is Outcome.expired:
        message = _("This page had expired. Your answers are kept: please check and submit again.")
        return _render_answer(campaign, link, definition, raw, {}, key, stamp, 400, message)
    if result.outcome is Outcome.refused:
        return _render_answer(campaign, link, definition, raw, {}, key, stamp, 400, result.message)
    status = 400 if result.outcome is Outcome.unknown_items else 200  # else invalid
    errors = page.answers.errors
    if status == 200 and _keep_for_get(raw, errors, page.message, key, stamp):
        return redirect(request.path, 303)
    return _render_answer(campaign, link, definition, raw, errors, key, stamp, status, page.message)


def _keep_for_get(raw, errors, message, key, stamp) -> bool:
    return again.keep(
        session, request.path, raw=raw, errors=errors, message=message, key=key, stamp=stamp
    )


@pages.respond.get("/S/<code>/done")
def thanks(code: str):
    campaign = pages.campaign_or_404(code)
    definition = definition_of(campaign)
    return render_template(
        "responses/public/thanks.html", campaign=campaign, definition=definition, now=utcnow()
    )


# -- tokens ----------------------------------------------------------------------------------


def _enter_with_token(token_hash: str | None):
    """Check a token (by its hash) and open its sitting, then send the respondent to a clean
    address."""
    if integrity.too_many_bad_tokens(request.remote_addr):
        return pages.problem_page(
            _("Too many wrong codes"),
            _("Too many wrong codes were entered from this network. Please wait a minute."),
            429,
        )
    row = None
    if token_hash:
        row = db.session.scalar(select(Token).where(Token.token_hash == token_hash))
    if row is None or row.revoked_at is not None:
        integrity.record_bad_token(request.remote_addr)
        return pages.problem_page(
            _("Invalid code"),
            _("This code is not valid. Please check it, or ask the organiser for a new one."),
            404,
        )
    campaign = row.campaign
    if row.used_on is not None:
        return pages.problem_page(
            _("Code already used"),
            _("This code has already been used. Each code can be used once."),
        )
    if not campaign.accepts_answers(utcnow()):
        return pages.closed_page(campaign)
    start_sitting(session, campaign, row)
    return redirect(url_for(".sitting_overview", code=campaign.code), 303)


@pages.respond.get("/T/<token>")
@pages.respond.get("/t/<token>")
def token_link(token: str):
    """A scanned QR code, or the lower-case link printed under it typed by hand (the same
    view, not a redirect: a redirect to /T/<TOKEN> would write the token into one more request
    line). Nothing is decided here: the code moves into the signed session and the browser
    goes at once to /T, so no page, stylesheet request or Referer ever carries it (only its
    hash is kept), whatever the outcome (not open yet, wrong code, store down)."""
    token = normalise_token(token)
    session[PENDING_TOKEN] = hash_token(token) if token is not None else ""
    return redirect(url_for(".token_arrival"), 303)


@pages.respond.get("/T")
def token_arrival():
    token_hash = session.pop(PENDING_TOKEN, None)
    if token_hash is None:  # reloaded, or opened without scanning
        return pages.problem_page(
            _("Please scan your code"),
            _(
                "This survey is answered with a personal code. Scan the QR code you were "
                "given, or enter the code on the survey's page."
            ),
            400,
        )
    return _enter_with_token(token_hash or None)


@csrf.exempt  # checked by pages.csrf_ok: this page sends no Referer
@pages.respond.post("/S/<code>/token")
def token_entry(code: str):
    if not pages.csrf_ok():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
        if campaign is None:
            abort(400)
        return render_template(
            "responses/public/token_entry.html",
            campaign=campaign,
            error=_("This page had expired. Please enter your code again."),
        ), 400
    campaign = pages.campaign_or_404(code)
    token = normalise_token(request.form.get("token", ""))
    if token is None:
        return render_template(
            "responses/public/token_entry.html",
            campaign=campaign,
            error=_("A code has 26 letters and digits. Please check what you typed."),
        ), 200
    return _enter_with_token(hash_token(token))
