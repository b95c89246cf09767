"""The audit log with filters (admin, read-only)."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from survey.accounts.models import User
from survey.agencies.queries import scope_ids
from survey.audit.labels import action_label, entity_label
from survey.auditing import AuditEntry
from survey.clock import SHANGHAI
from survey.db import db
from survey.forms import one_line
from survey.numbers import record_id
from survey.portals import viewer_may_read

admin_audit = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(
        _l("User name"), validators=[Optional(), Length(max=50)], filters=[one_line]
    )
    action = SelectField(_l("Action"), validators=[Optional()])
    entity_type = SelectField(_l("Record type"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


def readable(values: dict) -> str:
    """A before/after snapshot as people read it: Chinese as written (``tojson`` would show
    \\u6d4b…), keys sorted. The template escapes it."""
    return json.dumps(values, ensure_ascii=False, indent=1, sort_keys=True)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


@admin_audit.route("/")
@viewer_may_read
def index():
    ids = scope_ids(db.session, current_user)
    scoped = select(AuditEntry).where(AuditEntry.jurisdiction_id.in_(ids))
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "—")] + [
        (a, action_label(a))
        for a in db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.jurisdiction_id.in_(ids))
            .distinct()
            .order_by(AuditEntry.action)
        )
    ]
    form.entity_type.choices = [("", "—")] + [
        (t, entity_label(t))
        for t in db.session.scalars(
            select(AuditEntry.entity_type)
            .where(AuditEntry.jurisdiction_id.in_(ids))
            .distinct()
            .order_by(AuditEntry.entity_type)
        )
    ]
    # The log keeps its actor by key only (it is written from the core): join for the name.
    statement = scoped.add_columns(User.username).outerjoin(User, AuditEntry.actor_id == User.id)
    if form.validate():
        if form.actor.data:
            statement = statement.where(func.lower(User.username) == form.actor.data.lower())
        if form.action.data:
            statement = statement.where(AuditEntry.action == form.action.data)
        if form.entity_type.data:
            statement = statement.where(AuditEntry.entity_type == form.entity_type.data)
        if form.date_from.data:
            statement = statement.where(AuditEntry.created_at >= _day_start(form.date_from.data))
        if form.date_to.data:
            end = _day_start(form.date_to.data + dt.timedelta(days=1))
            statement = statement.where(AuditEntry.created_at < end)
    page = max(request.args.get("page", 1, type=record_id), 1)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    entries = db.session.execute(
        statement.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "audit/audit.html",
        form=form,
        entries=entries,
        page=page,
        total=total,
        readable=readable,
        action_label=action_label,
        entity_label=entity_label,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        filter_args={key: value for key, value in request.args.items() if key != "page"},
    )
