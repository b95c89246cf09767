"""Rectification items for the agency (agency portal): only its own items; 签收, progress
reports, the submission with evidence files, and extension requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.services import uploads
from survey.followup import extensions, queries, services
from survey.followup.forms import ExtensionForm, MoveForm, flash_form_errors
from survey.followup.lifecycle import MOVES, available

agency_followup = Blueprint("followup", __name__, url_prefix="/followup")


@agency_followup.route("/")
def index():
    rows = queries.agency_rows(db.session, g.agency, beijing_today())
    return render_template(
        "followup/agency/index.html", rows=rows, counts=queries.colour_counts(rows)
    )


@agency_followup.route("/<int:item_id>")
def show(item_id: int):
    item = queries.own_item_or_404(db.session, g.agency, item_id)
    (row,) = queries.rows_of(db.session, [item], beijing_today())
    return render_template(
        "followup/agency/show.html",
        item=item,
        row=row,
        files=queries.evidence_of(db.session, item),
        pending=extensions.pending_of(db.session, item),
        moves=available(item, by_agency=True),
        form=MoveForm(),
        extension_form=ExtensionForm(),
    )


@agency_followup.route("/<int:item_id>/<move>", methods=["POST"])
def move(item_id: int, move: str):
    item = queries.own_item_or_404(db.session, g.agency, item_id)
    if move not in MOVES or not MOVES[move].by_agency or move == "extension_request":
        abort(404)
    form = MoveForm()
    if not form.validate_on_submit():
        flash_form_errors(form, flash_error)
    elif commit_or_report(
        flash_error,
        lambda: services.agency_move(
            db.session,
            current_user,
            item,
            move,
            text=form.text.data or "",
            files=uploads(form.files.data) if move == "submit" else (),
        ),
    ):
        flash(_("Done: %(move)s.", move=MOVES[move].kind.label), "success")
    return redirect(url_for(".show", item_id=item.id))


@agency_followup.route("/<int:item_id>/extension", methods=["POST"])
def extension(item_id: int):
    item = queries.own_item_or_404(db.session, g.agency, item_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        flash_error(_("Give the new deadline and the reason."))
    elif commit_or_report(
        flash_error,
        lambda: extensions.request_extension(
            db.session, current_user, item, due_on=form.due_on.data, reason=form.reason.data
        ),
    ):
        flash(_("The extension request was sent to the office."), "success")
    return redirect(url_for(".show", item_id=item.id))
