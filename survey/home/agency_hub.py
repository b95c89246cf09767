"""One hub per agency: the links the supervisor's agency page offers to everything about the
agency in its assessment years (targets and their ledger, self-assessment and filings, site
verification, survey results, scores, rectification). Built on the app floor, which may read
every feature; the agencies feature (lower down) asks for it through ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.campaigns.models import Campaign, CampaignAgency
from survey.scores.models import ScoringRun
from survey.years.models import AssessmentYear


@dataclass
class HubYear:
    year: AssessmentYear
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


def agency_hub(session: Session, agency: Agency) -> list[HubYear]:
    """The agency's assessment years, newest first, each with its links."""
    years = session.scalars(
        select(AssessmentYear)
        .where(AssessmentYear.jurisdiction_id == agency.jurisdiction_id)
        .order_by(AssessmentYear.year.desc())
    ).all()
    hub = []
    for year in years:
        ids = {"agency_id": agency.id, "year_id": year.id}
        links = [
            (_("Targets, ledger and self-assessment"), url_for("admin.targets.agency", **ids)),
            (_("Site verification"), url_for("admin.verification.agency", **ids)),
        ]
        campaigns = session.scalars(
            select(Campaign)
            .join(CampaignAgency, CampaignAgency.campaign_id == Campaign.id)
            .where(Campaign.year_id == year.id, CampaignAgency.agency_id == agency.id)
            .order_by(Campaign.id)
        ).all()
        for campaign in campaigns:
            label = _("Survey results: %(title)s", title=campaign.title)
            links.append(
                (
                    label,
                    url_for("admin.results.agency", campaign_id=campaign.id, agency_id=agency.id),
                )
            )
        run_id = session.scalar(
            select(ScoringRun.id)
            .where(ScoringRun.year_id == year.id)
            .order_by(ScoringRun.id.desc())
            .limit(1)
        )
        if run_id is not None:
            links.append(
                (
                    _("Scores (latest run)"),
                    url_for("admin.scores.explain", run_id=run_id, agency_id=agency.id),
                )
            )
        links.append((_("Rectification"), url_for("admin.followup.index", agency_id=agency.id)))
        hub.append(HubYear(year, links))
    return hub
