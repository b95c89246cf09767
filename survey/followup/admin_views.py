"""Rectification items for the 编办 (admin portal): the list with its filters and export, issuing
an item, an item's page with the office's moves, and extension decisions. Viewers may read."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.agencies.models import Section
from survey.agencies.queries import agency_or_404, visible_agencies, visible_jurisdictions
from survey.clock import beijing_today
from survey.db import db
from survey.followup import exporting, extensions, queries, services
from survey.followup.forms import DecisionForm, FilterForm, IssueForm, MoveForm, flash_form_errors
from survey.followup.lifecycle import MOVES, available
from survey.followup.models import ExtensionRequest
from survey.numbers import record_id
from survey.portals import viewer_may_read
from survey.spreadsheets import XLSX_MIMETYPE

admin_followup = Blueprint("followup", __name__, url_prefix="/followup")


def _filters() -> tuple[FilterForm, queries.Filters]:
    form = FilterForm(request.args)
    form.agency_id.choices = [(0, _("All"))] + [
        (a.id, a.name) for a in visible_agencies(db.session, current_user)
    ]
    form.jurisdiction_id.choices = [(0, _("All"))] + [
        (j.id, j.name) for j in visible_jurisdictions(db.session, current_user)
    ]
    form.validate()
    return form, queries.Filters(
        state=form.state.data if not form.state.errors else "",
        source=form.source.data if not form.source.errors else "",
        colour=form.colour.data if not form.colour.errors else "",
        agency_id=form.agency_id.data or None if not form.agency_id.errors else None,
        jurisdiction_id=form.jurisdiction_id.data or None
        if not form.jurisdiction_id.errors
        else None,
    )


@admin_followup.route("/")
@viewer_may_read
def index():
    form, filters = _filters()
    rows = queries.office_rows(db.session, current_user, filters, beijing_today())
    return render_template(
        "followup/admin/index.html",
        form=form,
        rows=rows,
        counts=queries.colour_counts(rows),
        agencies=visible_agencies(db.session, current_user),
    )


@admin_followup.route("/export.xlsx")
@viewer_may_read
def export():
    _form, filters = _filters()
    rows = queries.office_rows(db.session, current_user, filters, beijing_today())
    data = exporting.workbook_bytes("整改事项", exporting.ITEM_HEADER, exporting.item_rows(rows))
    return send_file(
        BytesIO(data),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"rectification-{beijing_today().isoformat()}.xlsx",
    )


@admin_followup.route("/agency/<int:agency_id>/new", methods=["GET", "POST"])
def new(agency_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    form = IssueForm(
        source_kind=request.args.get("source_kind", "manual"),
        source_id=request.args.get("source_id", type=record_id),
    )
    form.set_sections(agency.live_sections)
    if form.validate_on_submit():
        section = db.session.get(Section, form.section_id.data) if form.section_id.data else None
        issued = commit_or_report(
            form.form_errors.append,
            lambda: services.issue(
                db.session,
                current_user,
                agency,
                source_kind=form.source_kind.data,
                source_id=form.source_id.data,
                title=form.title.data,
                requirement=form.requirement.data,
                due_on=form.due_on.data,
                working_days=form.working_days.data,
                section=section,
                responsible_leader=form.responsible_leader.data or "",
            ),
        )
        if issued:
            flash(_("The rectification item was issued."), "success")
            return redirect(url_for(".show", item_id=issued.value.id))
    return render_template("followup/admin/new.html", agency=agency, form=form)


@admin_followup.route("/items/<int:item_id>")
@viewer_may_read
def show(item_id: int):
    item = queries.item_in_scope_or_404(db.session, current_user, item_id)
    (row,) = queries.rows_of(db.session, [item], beijing_today())
    return render_template(
        "followup/admin/show.html",
        item=item,
        row=row,
        files=queries.evidence_of(db.session, item),
        pending=extensions.pending_of(db.session, item),
        moves=available(item, by_agency=False) if current_user.is_supervisor else set(),
        form=MoveForm(),
        decision_form=DecisionForm(),
    )


@admin_followup.route("/items/<int:item_id>/<move>", methods=["POST"])
def move(item_id: int, move: str):
    item = queries.item_in_scope_or_404(db.session, current_user, item_id)
    if move not in MOVES or MOVES[move].by_agency:
        abort(404)
    form = MoveForm()
    if not form.validate_on_submit():
        flash_form_errors(form, flash_error)
    elif commit_or_report(
        flash_error,
        lambda: services.office_move(
            db.session,
            current_user,
            item,
            move,
            text=form.text.data or "",
            review_after=form.review_after.data,
        ),
    ):
        flash(_("Done: %(move)s.", move=MOVES[move].kind.label), "success")
    return redirect(url_for(".show", item_id=item.id))


@admin_followup.route("/extensions/<int:extension_id>", methods=["POST"])
def decide(extension_id: int):
    extension = db.session.get(ExtensionRequest, extension_id)
    if extension is None:
        abort(404)
    item = queries.item_in_scope_or_404(db.session, current_user, extension.item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_form_errors(form, flash_error)
    elif commit_or_report(
        flash_error,
        lambda: extensions.decide_extension(
            db.session,
            current_user,
            extension,
            approve=form.decision.data == "approve",
            note=form.note.data or "",
        ),
    ):
        flash(_("The extension request was decided."), "success")
    return redirect(url_for(".show", item_id=item.id))
