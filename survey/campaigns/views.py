"""Campaigns for the 编办 (admin portal): create and edit while draft, open and close, and
distribute them — QR codes and posters for open links, single-use tokens as printable QR slips
or a CSV of links. Viewers may read the list and a campaign; only supervisors act."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.actions import commit_or_report, flash_error
from survey.agencies.models import Agency, AgencyKind
from survey.agencies.queries import scope_ids
from survey.campaigns import links, printing, services
from survey.campaigns.forms import CampaignForm, TokenForm, to_local, to_utc
from survey.campaigns.models import (
    GROUP_LABELS,
    RESPONDENT_GROUPS,
    AccessMode,
    CampaignState,
)
from survey.campaigns.queries import campaign_or_404, visible_campaigns
from survey.db import db
from survey.forms import ConfirmForm, ask_first
from survey.numbers import record_id
from survey.portals import viewer_may_read
from survey.questionnaires.models import QuestionnaireVersion
from survey.years.models import AssessmentYear, YearState
from survey.years.queries import year_or_404

admin_campaigns = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@admin_campaigns.route("/")
@viewer_may_read
def index():
    years = db.session.scalars(
        select(AssessmentYear)
        .where(AssessmentYear.jurisdiction_id.in_(scope_ids(db.session, current_user)))
        .order_by(AssessmentYear.year.desc(), AssessmentYear.jurisdiction_id)
    ).all()
    # Filters from the query string; a value that names nothing the user sees is ignored.
    year_id = request.args.get("year_id", type=record_id)
    year_id = year_id if year_id in {year.id for year in years} else None
    state = next((s for s in CampaignState if s.value == request.args.get("state")), None)
    group = request.args.get("group")
    group = group if group in RESPONDENT_GROUPS else None
    campaigns = visible_campaigns(
        db.session, current_user, year_id=year_id, state=state, group=group
    )
    return render_template(
        "campaigns/index.html",
        campaigns=campaigns,
        years=[year for year in years if year.state is not YearState.closed],
        all_years=years,
        filters={"year_id": year_id, "state": state, "group": group},
        states=list(CampaignState),
        groups=[(group, GROUP_LABELS[group]) for group in RESPONDENT_GROUPS],
    )


def _year_or_404(year_id) -> AssessmentYear:
    return year_or_404(db.session, current_user, year_id)


def _fill_choices(form: CampaignForm, year: AssessmentYear) -> list[Agency]:
    versions = db.session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.number.desc()
        )
    ).all()
    form.version_id.choices = [(v.id, f"{v.title}（v{v.number}）") for v in versions]
    agencies = db.session.scalars(
        select(Agency)
        .where(Agency.jurisdiction_id == year.jurisdiction_id, Agency.deleted_at.is_(None))
        .order_by(Agency.id)
    ).all()
    form.agency_ids.choices = [(agency.id, agency.name) for agency in agencies]
    return agencies


def _by_kind(agencies: list[Agency]) -> list[tuple[AgencyKind, list[Agency]]]:
    """The agencies grouped by kind, in the order of 第三条."""
    return [
        (kind, [agency for agency in agencies if agency.kind is kind])
        for kind in AgencyKind
        if any(agency.kind is kind for agency in agencies)
    ]


def _picked(form: CampaignForm, agencies: list[Agency]) -> bool:
    """Select all / none / a kind (buttons of the form, no JavaScript): the form comes back
    with its other fields as typed and the agencies ticked; nothing is saved."""
    pick = request.form.get("_pick", "")
    if request.method != "POST" or not pick:
        return False
    chosen = set(form.agency_ids.data or [])
    if pick == "all":
        chosen = {agency.id for agency in agencies}
    elif pick == "none":
        chosen = set()
    else:
        action, _sep, kind = pick.partition(":")
        ids = {agency.id for agency in agencies if agency.kind.value == kind}
        chosen = chosen | ids if action == "add" else chosen - ids
    form.agency_ids.data = [agency.id for agency in agencies if agency.id in chosen]
    return True


def _settings(form: CampaignForm) -> services.CampaignSettings | None:
    version = db.session.get(QuestionnaireVersion, form.version_id.data)
    if version is None:
        form.version_id.errors.append(_("Choose a questionnaire."))
        return None
    return services.CampaignSettings(
        title=form.title.data,
        version=version,
        agency_ids=form.agency_ids.data or [],
        opens_at=to_utc(form.opens_at.data),
        closes_at=to_utc(form.closes_at.data),
        access_mode=AccessMode(form.access_mode.data),
        min_seconds=form.min_seconds.data,
        device_limit=form.device_limit.data,
        address_limit=form.address_limit.data,
    )


@admin_campaigns.route("/new", methods=["GET", "POST"])
def create():
    year = _year_or_404(request.args.get("year_id", type=record_id))
    form = CampaignForm()
    agencies = _fill_choices(form, year)
    if request.method == "GET":
        form.agency_ids.data = [choice for choice, _label in form.agency_ids.choices]
    picked = _picked(form, agencies)
    if not picked and form.validate_on_submit() and (settings := _settings(form)) is not None:
        created = commit_or_report(
            form.form_errors.append,
            lambda: services.create_campaign(db.session, current_user, year, settings),
        )
        if created:
            flash(_("Survey created as a draft. Check it, then open it."), "success")
            return redirect(url_for(".show", campaign_id=created.value.id))
    return render_template(
        "campaigns/form.html", form=form, year=year, campaign=None, groups=_by_kind(agencies)
    )


@admin_campaigns.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    if campaign.state is not CampaignState.draft:
        flash_error(_("Only a draft survey can be edited; an opened one is fixed."))
        return redirect(url_for(".show", campaign_id=campaign.id))
    form = CampaignForm(obj=campaign)
    agencies = _fill_choices(form, campaign.year)
    if request.method == "GET":
        form.version_id.data = campaign.questionnaire_version_id
        form.agency_ids.data = [link.agency_id for link in campaign.campaign_agencies]
        form.opens_at.data = to_local(campaign.opens_at)
        form.closes_at.data = to_local(campaign.closes_at)
        form.access_mode.data = campaign.access_mode.value
    picked = _picked(form, agencies)
    if not picked and form.validate_on_submit() and (settings := _settings(form)) is not None:
        saved = commit_or_report(
            form.form_errors.append,
            lambda: services.update_campaign(db.session, current_user, campaign, settings),
        )
        if saved:
            flash(_("Survey saved."), "success")
            return redirect(url_for(".show", campaign_id=campaign.id))
    return render_template(
        "campaigns/form.html",
        form=form,
        year=campaign.year,
        campaign=campaign,
        groups=_by_kind(agencies),
    )


@admin_campaigns.route("/<int:campaign_id>")
@viewer_may_read
def show(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    counts = services.token_counts(db.session, campaign) if campaign.uses_tokens else []
    token_form = TokenForm()
    token_form.rater_agency_id.choices = [(0, _("Each agency of the survey"))] + [
        (link.agency_id, link.agency.name) for link in campaign.campaign_agencies
    ]
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        counts=counts,
        token_form=token_form,
        confirm=ConfirmForm(),
        campaign_url=links.printed(links.campaign_url(campaign)),
        agency_urls={
            link.id: links.printed(links.agency_url(link)) for link in campaign.campaign_agencies
        },
    )


@admin_campaigns.post("/<int:campaign_id>/open")
def open_(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    if ConfirmForm().validate_on_submit() and commit_or_report(
        flash_error, lambda: services.open_campaign(db.session, current_user, campaign)
    ):
        flash(_("The survey is open."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


@admin_campaigns.post("/<int:campaign_id>/close")
def close(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    asked = ask_first(
        title=_("Close the survey %(title)s?", title=campaign.title),
        what_happens=[
            _(
                "Its links and QR codes stop accepting answers at once; "
                "unused codes become useless."
            ),
            _("The answers received so far are kept and the results can be read."),
            _("A closed survey cannot be opened again."),
        ],
        button=_("Close the survey"),
        cancel_url=url_for(".show", campaign_id=campaign.id),
    )
    if asked:
        return asked
    if ConfirmForm().validate_on_submit() and commit_or_report(
        flash_error, lambda: services.close_campaign(db.session, current_user, campaign)
    ):
        flash(_("The survey is closed; it accepts no more answers."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


def _link_or_404(campaign, agency_id: int | None):
    if agency_id is None:
        return None
    link = next((each for each in campaign.campaign_agencies if each.agency_id == agency_id), None)
    if link is None:
        abort(404)
    return link


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@admin_campaigns.route("/<int:campaign_id>/qr")
def qr(campaign_id: int):
    """The QR code of the campaign's link, or of one agency's link (?agency=<id>)."""
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    link = _link_or_404(campaign, request.args.get("agency", type=record_id))
    url = links.agency_url(link) if link else links.campaign_url(campaign)
    name = f"qr-{campaign.code}-{link.code if link else 'all'}"
    if request.args.get("format") == "svg":
        return _download(printing.qr_svg(url), "image/svg+xml", f"{name}.svg")
    return _download(printing.qr_png(url), "image/png", f"{name}.png")


@admin_campaigns.route("/<int:campaign_id>/posters.pdf")
def posters(campaign_id: int):
    """A4 posters for the service windows: one agency (?agency=<id>) or every agency."""
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    if campaign.uses_tokens:
        abort(404)
    link = _link_or_404(campaign, request.args.get("agency", type=record_id))
    chosen = [link] if link else list(campaign.campaign_agencies)
    pdf = printing.posters_pdf(
        [
            printing.Poster(
                campaign.title,
                c.agency.name,
                links.agency_url(c),
                links.printed(links.agency_url(c)),
            )
            for c in chosen
        ]
    )
    return _download(pdf, "application/pdf", f"posters-{campaign.code}.pdf")


@admin_campaigns.post("/<int:campaign_id>/tokens")
def tokens(campaign_id: int):
    """Issue tokens and hand them over once, as the response itself: nothing keeps them."""
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    form = TokenForm()
    form.rater_agency_id.choices = [(0, "")] + [
        (link.agency_id, link.agency.name) for link in campaign.campaign_agencies
    ]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash_error(error)
        return redirect(url_for(".show", campaign_id=campaign.id))
    if campaign.respondent_group == "peer":
        chosen = form.rater_agency_id.data
        raters = [chosen] if chosen else [c.agency_id for c in campaign.campaign_agencies]
    else:
        raters = [None]
    issued = commit_or_report(
        flash_error,
        lambda: services.issue_tokens(db.session, current_user, campaign, form.count.data, raters),
    )
    if not issued:
        return redirect(url_for(".show", campaign_id=campaign.id))
    names = {link.agency_id: link.agency.name for link in campaign.campaign_agencies}
    slips = [links.token_slip(token, names.get(rater)) for token, rater in issued.value]
    if form.output.data == "csv":
        return _download(
            links.links_csv(slips), "text/csv; charset=utf-8", f"tokens-{campaign.code}.csv"
        )
    pdf = printing.token_sheet_pdf(campaign.title, slips)
    return _download(pdf, "application/pdf", f"tokens-{campaign.code}.pdf")


@admin_campaigns.post("/<int:campaign_id>/tokens/revoke")
def revoke(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    batch = request.form.get("batch", type=record_id)
    if not ConfirmForm().validate_on_submit() or batch is None:
        abort(400)
    asked = ask_first(
        title=_("Revoke the unused codes of batch %(batch)d?", batch=batch),
        what_happens=[
            _(
                "Every code of this batch not used yet stops working; "
                "a respondent who scans one is told it is not valid."
            ),
            _("Codes already used and their answers are kept."),
            _("Revoked codes cannot be restored: issue a new batch instead."),
        ],
        button=_("Revoke the codes"),
        cancel_url=url_for(".show", campaign_id=campaign.id),
    )
    if asked:
        return asked
    revoked = commit_or_report(
        flash_error, lambda: services.revoke_batch(db.session, current_user, campaign, batch)
    )
    if revoked:
        message = _(
            "%(num)d unused tokens of batch %(batch)d revoked.", num=revoked.value, batch=batch
        )
        flash(message, "success")
    return redirect(url_for(".show", campaign_id=campaign.id))
