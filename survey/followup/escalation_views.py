"""约谈 / 通报批评 records and linkage notices for the 编办 (admin portal). Viewers read both
lists, except clue referrals, which only supervisors see; only supervisors record."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.actions import commit_or_report
from survey.agencies.models import Agency
from survey.agencies.queries import agency_or_404, scope_ids, visible_agencies
from survey.clock import beijing_today
from survey.db import db
from survey.followup import escalation_services as services
from survey.followup.escalation import EscalationKind, NoticeKind, Recipient
from survey.followup.exporting import workbook_bytes
from survey.followup.models import RectificationItem
from survey.forms import one_line
from survey.portals import viewer_may_read
from survey.spreadsheets import XLSX_MIMETYPE

admin_escalations = Blueprint("escalations", __name__, url_prefix="/escalations")
admin_linkage = Blueprint("linkage", __name__, url_prefix="/linkage")


def _enum_choices(enum_class):
    return lambda: [(member.value, member.label) for member in enum_class]


class EscalationForm(FlaskForm):
    kind = SelectField(_l("Kind of measure"), choices=_enum_choices(EscalationKind))
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    people = TextAreaField(_l("People taking part"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])
    approved_by = StringField(
        _l("Approved by (编委 or its authorised leader)"),
        filters=[one_line],
        validators=[DataRequired(), Length(max=200)],
    )
    approved_on = DateField(_l("Approved on"), validators=[InputRequired()])
    document_number = StringField(
        _l("Document number of the approval"),
        filters=[one_line],
        validators=[DataRequired(), Length(max=100)],
    )
    item_ids = SelectMultipleField(_l("Rectification items concerned"), coerce=int, choices=[])


class NoticeForm(FlaskForm):
    kind = SelectField(_l("Kind of notice"), choices=_enum_choices(NoticeKind))
    recipient = SelectField(_l("Sent to"), choices=_enum_choices(Recipient))
    sent_on = DateField(_l("Date sent"), default=beijing_today, validators=[InputRequired()])
    title = StringField(
        _l("Title"), filters=[one_line], validators=[DataRequired(), Length(max=200)]
    )
    content = TextAreaField(_l("Content"), validators=[DataRequired()])
    attachments = TextAreaField(_l("Attachments (documents sent with it)"), validators=[Optional()])
    agency_id = SelectField(_l("Agency concerned"), coerce=int, choices=[])
    item_ids = SelectMultipleField(_l("Rectification items concerned"), coerce=int, choices=[])


def _items_of(agency_ids) -> list[RectificationItem]:
    return list(
        db.session.scalars(
            select(RectificationItem)
            .where(RectificationItem.agency_id.in_(list(agency_ids)))
            .order_by(RectificationItem.id)
        )
    )


@admin_escalations.route("/", endpoint="index")
@viewer_may_read
def escalation_list():
    return render_template(
        "followup/escalations/index.html",
        escalations=services.escalations_for(db.session, scope_ids(db.session, current_user)),
        agencies=visible_agencies(db.session, current_user),
    )


@admin_escalations.route("/agency/<int:agency_id>/new", methods=["GET", "POST"], endpoint="new")
def new_escalation(agency_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    form = EscalationForm()
    form.item_ids.choices = [(i.id, f"{i.id} {i.title}") for i in _items_of([agency.id])]
    if form.validate_on_submit():
        done = commit_or_report(
            form.form_errors.append,
            lambda: services.record_escalation(
                db.session,
                current_user,
                agency,
                kind=form.kind.data,
                held_on=form.held_on.data,
                people=form.people.data,
                reason=form.reason.data,
                approved_by=form.approved_by.data,
                approved_on=form.approved_on.data,
                document_number=form.document_number.data,
                item_ids=form.item_ids.data,
            ),
        )
        if done:
            flash(_("The record was saved."), "success")
            return redirect(url_for(".index"))
    return render_template("followup/escalations/new.html", agency=agency, form=form)


def _agency_ids() -> set[int]:
    return {a.id for a in visible_agencies(db.session, current_user, include_deleted=True)}


@admin_linkage.route("/", endpoint="index")
@viewer_may_read
def notice_list():
    return render_template(
        "followup/linkage/index.html",
        notices=services.notices_for(db.session, current_user, scope_ids(db.session, current_user)),
    )


NOTICE_HEADER = [
    "编号",
    "日期",
    "类别",
    "接收机关",
    "标题",
    "内容",
    "附件",
    "涉及单位",
    "涉及整改事项",
]


@admin_linkage.route("/export.xlsx")
@viewer_may_read
def export():
    notices = services.notices_for(db.session, current_user, scope_ids(db.session, current_user))
    rows = (
        [
            n.id,
            n.sent_on,
            n.kind.label,
            n.recipient.label,
            n.title,
            n.content,
            n.attachments,
            n.agency.name if n.agency else "",
            "、".join(f"{i.id} {i.title}" for i in n.items),
        ]
        for n in notices
    )
    today = beijing_today().isoformat()
    return send_file(
        BytesIO(workbook_bytes("联动通报", NOTICE_HEADER, rows)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"linkage-notices-{today}.xlsx",
    )


@admin_linkage.route("/new", methods=["GET", "POST"], endpoint="new")
def new_notice():
    form = NoticeForm()
    agencies = visible_agencies(db.session, current_user)
    form.agency_id.choices = [(0, "—")] + [(a.id, a.name) for a in agencies]
    form.item_ids.choices = [
        (i.id, f"{i.id} {i.agency.short_name or i.agency.name} {i.title}")
        for i in _items_of([a.id for a in agencies])
    ]
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency_id.data) if form.agency_id.data else None
        done = commit_or_report(
            form.form_errors.append,
            lambda: services.record_notice(
                db.session,
                current_user,
                agency.jurisdiction_id if agency else current_user.jurisdiction_id,
                _agency_ids(),
                kind=form.kind.data,
                recipient=form.recipient.data,
                sent_on=form.sent_on.data,
                title=form.title.data,
                content=form.content.data,
                attachments=form.attachments.data or "",
                agency=agency,
                item_ids=form.item_ids.data,
            ),
        )
        if done:
            flash(_("The notice was recorded."), "success")
            return redirect(url_for(".index"))
    return render_template("followup/linkage/new.html", form=form)
