"""Landing pages: ``/`` sends each user to their portal; the supervisor's overview."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids, visible_jurisdictions
from survey.db import db
from survey.portals import viewer_may_read
from survey.years.models import AssessmentYear, YearState

public_home = Blueprint("home", __name__)
admin_home = Blueprint("home", __name__)


@public_home.route("/", endpoint="index")
def start():
    if not current_user.is_authenticated:
        return redirect(url_for("public.accounts.login"))
    if current_user.role.is_agency_role:
        return redirect(url_for("agency.agencies.home"))
    return redirect(url_for("admin.home.index"))


@public_home.route("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}


@admin_home.route("/")
@viewer_may_read
def index():
    ids = scope_ids(db.session, current_user)
    agency_counts = dict(
        db.session.execute(
            select(Agency.jurisdiction_id, func.count())
            .where(Agency.jurisdiction_id.in_(ids), Agency.deleted_at.is_(None))
            .group_by(Agency.jurisdiction_id)
        ).all()
    )
    open_years = db.session.scalars(
        select(AssessmentYear).where(
            AssessmentYear.jurisdiction_id.in_(ids), AssessmentYear.state == YearState.open
        )
    ).all()
    return render_template(
        "home/admin_home.html",
        jurisdictions=visible_jurisdictions(db.session, current_user),
        agency_counts=agency_counts,
        open_years=open_years,
    )
