"""The respondents' pages (public portal): the blueprint and what its pages share.

Server-rendered, no JavaScript, small enough for WeChat's built-in browser. Answers are never
lost: a failed validation or an expired CSRF token re-renders the form with what was entered,
and a token sitting keeps its progress server-side (drafts) so it can be resumed. The pages
themselves are in ``open_link_views`` (open links, token entry) and ``sitting_views``, which
``views`` gathers; both hand posted answers to ``intake``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    render_template,
    request,
)
from flask_wtf.csrf import validate_csrf
from sqlalchemy import bindparam, select
from wtforms import ValidationError

from survey.campaigns.models import Campaign
from survey.clock import beijing_today
from survey.db import db, utcnow

logger = logging.getLogger(__name__)

respond = Blueprint("respond", __name__)

today = beijing_today  # the day a token is used on, as the sitting views call it


@respond.after_request
def _never_cache(response):
    # Respondent pages carry per-session CSRF tokens and answers: never cache them.
    response.headers["Cache-Control"] = "no-store"
    # No Referer leaves a respondent's page, not even to our own stylesheet (issue 17 item 3).
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def csrf_ok() -> bool:
    """The form's CSRF token, and an Origin (when the browser names one) that is ours.

    Flask-WTF's HTTPS check wants a same-origin Referer, which these pages never send
    (``no-referrer``); the token bound to the session and SameSite=Lax cookies are the guard.
    """
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


_BY_CODE = select(Campaign).where(Campaign.code == bindparam("code"))


def campaign_or_404(code: str) -> Campaign:
    campaign = db.session.scalar(_BY_CODE, {"code": code})
    if campaign is None:
        abort(404)
    return campaign


def closed_page(campaign: Campaign):
    now = utcnow()
    not_yet = campaign.state.value == "draft" or now < campaign.opens_at
    return render_template("responses/public/closed.html", campaign=campaign, not_yet=not_yet), 200


def problem_page(title: str, message: str, status: int = 200):
    return (
        render_template("responses/public/problem.html", title=title, message=message),
        status,
    )
