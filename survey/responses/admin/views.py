"""A campaign's raw results for the 编办 (admin portal): counts and per-agency figures (viewers
may read these), and — supervisors only — flagged responses with their review, raw exports and
the import of paper, telephone, visit and meeting questionnaires."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.campaigns.models import Campaign
from survey.campaigns.queries import campaign_or_404, definition_of, visible_campaigns
from survey.db import db
from survey.numbers import plain_int
from survey.portals import viewer_may_read
from survey.responses.admin import exporting, importing, presenting, reviews
from survey.responses.admin.forms import FlagFilterForm, ResponseImportForm, ReviewForm
from survey.responses.admin.results import current_results, flagged_total
from survey.responses.models import FlagReason
from survey.responses.queries import flagged_responses, response_in_campaign_or_404
from survey.spreadsheets import XLSX_MIMETYPE

admin_results = Blueprint("results", __name__, url_prefix="/results")


@admin_results.route("/")
@viewer_may_read
def index():
    campaigns = visible_campaigns(db.session, current_user)
    return render_template("responses/admin/campaigns.html", campaigns=campaigns)


@admin_results.route("/<int:campaign_id>")
@viewer_may_read
def show(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    results = current_results(db.session, campaign)
    table = presenting.item_table(
        results,
        request.args.get("item"),
        request.args.get("sort", ""),
        request.args.get("order", ""),
    )
    return render_template(
        "responses/admin/results.html", campaign=campaign, results=results, table=table
    )


@admin_results.route("/<int:campaign_id>/agencies/<int:agency_id>")
@viewer_may_read
def agency(campaign_id: int, agency_id: int):
    """One agency's figures on every item of the campaign."""
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    results = current_results(db.session, campaign)
    figures = presenting.agency_figures(results, agency_id)
    if figures is None:
        abort(404)
    return render_template(
        "responses/admin/agency_results.html", campaign=campaign, results=results, f=figures
    )


# --- flagged responses (raw answers: supervisors only) -------------------------------------


def _flags_page(campaign, review_form=None):
    filters = FlagFilterForm(request.args)
    if not filters.validate():
        filters = FlagFilterForm(formdata=None)
    reason = FlagReason(filters.reason.data) if filters.reason.data else None
    page = flagged_responses(
        db.session,
        campaign,
        reason=reason,
        page=filters.page.data or 1,
        total=flagged_total(db.session, campaign, reason),
    )
    return render_template(
        "responses/admin/flags.html",
        campaign=campaign,
        page=page,
        filters=filters,
        reason=reason,
        definition=definition_of(campaign),
        review_form=review_form,
        blank_form=ReviewForm(formdata=None),
    )


@admin_results.route("/<int:campaign_id>/flags")
def flags(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    return _flags_page(campaign)


@admin_results.route("/<int:campaign_id>/flags/review", methods=["POST"])
def review(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        if not form.response_id.data:
            abort(400)
        form.form_errors.extend(e for errors in form.errors.values() for e in errors)
        flash_error(" ".join(str(e) for e in form.form_errors))
        return _flags_page(campaign, form), 400
    try:
        response_id = int(form.response_id.data)
    except ValueError:
        abort(400)
    response = response_in_campaign_or_404(db.session, campaign, response_id)
    if commit_or_report(
        flash_error,
        lambda: reviews.review_response(
            db.session,
            current_user,
            response,
            include=form.decision.data == "include",
            reason=form.reason.data,
        ),
    ):
        if form.decision.data == "include":
            flash(_("Response %(id)d is included in the results.", id=response_id), "success")
        else:
            flash(_("Response %(id)d is excluded from the results.", id=response_id), "success")
    # back to the decided response, not the top of the page
    back = url_for(".flags", campaign_id=campaign.id, **_back_to_filter())
    return redirect(f"{back}#response-{response_id}")


def _back_to_filter() -> dict:
    """The list's filter and page, as the review form carried them (checked, never a URL)."""
    values = {}
    reason = request.form.get("filter_reason", "")
    if reason in {r.value for r in FlagReason}:
        values["reason"] = reason
    page = plain_int(request.form.get("page", ""))
    if page is not None and page > 1:
        values["page"] = page
    return values


# --- raw exports (supervisors only) --------------------------------------------------------


def _streamed(campaign, produce, mimetype: str, suffix: str):
    """A download written while it is sent. The generator outlives the request's session, so
    it reads through a session of its own, closed when the download ends."""
    factory = current_app.extensions["survey.db"]["session_factory"]
    campaign_id = campaign.id
    name = exporting.export_filename(campaign, suffix)

    def generate():
        session = factory()
        try:
            yield from produce(session, session.get(Campaign, campaign_id))
        finally:
            session.close()

    return Response(
        stream_with_context(generate()),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@admin_results.route("/<int:campaign_id>/export.csv")
def export_csv(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    return _streamed(campaign, exporting.csv_chunks, "text/csv; charset=utf-8", "csv")


@admin_results.route("/<int:campaign_id>/export.xlsx")
def export_xlsx(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    return _streamed(campaign, exporting.xlsx_chunks, XLSX_MIMETYPE, "xlsx")


# --- paper / telephone / visit / meeting import (supervisors only) -------------------------


@admin_results.route("/<int:campaign_id>/import", methods=["GET", "POST"])
def import_responses(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    form = ResponseImportForm()
    result = None
    if form.validate_on_submit():
        result = importing.parse(db.session, campaign, form.file.data.read())
        if result.ok:
            imported = commit_or_report(
                lambda message: result.errors.append((0, message)),
                lambda: importing.apply(db.session, current_user, campaign, result),
            )
            if imported:
                count = imported.value
                flash(
                    ngettext("%(num)d response imported.", "%(num)d responses imported.", count),
                    "success",
                )
                return redirect(url_for(".show", campaign_id=campaign.id))
    return render_template(
        "responses/admin/import.html", campaign=campaign, form=form, result=result
    )


@admin_results.route("/<int:campaign_id>/import/template.xlsx")
def import_template(campaign_id: int):
    campaign = campaign_or_404(db.session, current_user, campaign_id)
    return send_file(
        BytesIO(importing.template_bytes(db.session, campaign)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"import-template-{campaign.code}.xlsx",
    )
