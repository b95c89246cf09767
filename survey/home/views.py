"""Landing pages: ``/`` sends each user to their portal; the supervisor's overview with what
needs attention; the agency's page with its year and what is due."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids, visible_jurisdictions
from survey.clock import beijing_today
from survey.db import db
from survey.filings.models import FilingKind
from survey.filings.services import filing_of
from survey.followup.queries import home_summary
from survey.portals import viewer_may_read
from survey.targets.models import SetState
from survey.targets.overview import year_overview
from survey.targets.queries import deadline_flags, due_soon_days, set_of
from survey.years.models import AssessmentYear, YearState
from survey.years.queries import working_year

public_home = Blueprint("home", __name__)
admin_home = Blueprint("home", __name__)
agency_home = Blueprint("home", __name__)


@public_home.route("/", endpoint="index")
def start():
    if not current_user.is_authenticated:
        return redirect(url_for("public.accounts.login"))
    if current_user.role.is_agency_role:
        return redirect(url_for("agency.home.index"))
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
    today = beijing_today()
    attention = [
        (
            year,
            year_overview(db.session, year, today=today, due_soon_days=due_soon_days(year)),
        )
        for year in open_years
    ]
    return render_template(
        "home/admin_home.html",
        jurisdictions=visible_jurisdictions(db.session, current_user),
        agency_counts=agency_counts,
        open_years=open_years,
        attention=attention,
        followup=home_summary(db.session, current_user, today),
    )


@agency_home.route("/", endpoint="index")
def agency_index():
    """The agency's landing page: where its year stands and what is due."""
    agency = g.agency
    year = working_year(db.session, agency)
    target_set = set_of(db.session, agency.id, year.id) if year else None
    flags = None
    if target_set is not None and target_set.state is SetState.approved:
        flags = deadline_flags(target_set.live_targets, beijing_today(), due_soon_days(year))
    filings = (
        [(kind, filing_of(db.session, agency, year, kind)) for kind in FilingKind] if year else []
    )
    return render_template(
        "home/agency_home.html",
        agency=agency,
        year=year,
        target_set=target_set,
        flags=flags,
        filings=filings,
        followup=home_summary(db.session, current_user, beijing_today(), agency=agency),
    )
