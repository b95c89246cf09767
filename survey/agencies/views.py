"""Jurisdictions, agencies and sections for the 编办 (admin), and the agency's home page."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.agencies import importing, services
from survey.agencies.forms import (
    AgencyFilterForm,
    AgencyForm,
    ImportForm,
    JurisdictionForm,
    NewJurisdictionForm,
    SectionForm,
    kind_choices,
)
from survey.agencies.models import AgencyKind
from survey.agencies.queries import (
    agency_or_404,
    jurisdiction_or_404,
    section_or_404,
    visible_agencies,
    visible_jurisdictions,
)
from survey.db import db
from survey.forms import ConfirmForm, ask_first
from survey.portals import viewer_may_read

admin_jurisdictions = Blueprint("jurisdictions", __name__, url_prefix="/jurisdictions")
admin_agencies = Blueprint("agencies", __name__, url_prefix="/agencies")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- jurisdictions -----------------------------------------------------------------------


@admin_jurisdictions.route("/", endpoint="index")
@viewer_may_read
def list_jurisdictions():
    jurisdictions = visible_jurisdictions(db.session, current_user)
    return render_template("agencies/jurisdictions.html", jurisdictions=jurisdictions)


@admin_jurisdictions.route("/new", methods=["GET", "POST"], endpoint="create")
def create_jurisdiction():
    form = NewJurisdictionForm()
    form.parent_id.choices = [
        (j.id, j.name) for j in visible_jurisdictions(db.session, current_user)
    ]
    if form.validate_on_submit():
        parent = jurisdiction_or_404(db.session, current_user, form.parent_id.data)
        if commit_or_report(
            form.form_errors.append,
            lambda: services.create_jurisdiction(
                db.session, current_user, name=form.name.data, parent_id=parent.id
            ),
        ):
            flash(_("Jurisdiction %(name)s created.", name=form.name.data), "success")
            return redirect(url_for(".index"))
    return render_template("agencies/jurisdiction_form.html", form=form, jurisdiction=None)


@admin_jurisdictions.route("/<int:jurisdiction_id>/edit", methods=["GET", "POST"], endpoint="edit")
def edit_jurisdiction(jurisdiction_id: int):
    jurisdiction = jurisdiction_or_404(db.session, current_user, jurisdiction_id)
    form = JurisdictionForm(obj=jurisdiction)
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.rename_jurisdiction(
            db.session, current_user, jurisdiction, form.name.data
        ),
    ):
        flash(_("Jurisdiction %(name)s saved.", name=jurisdiction.name), "success")
        return redirect(url_for(".index"))
    return render_template("agencies/jurisdiction_form.html", form=form, jurisdiction=jurisdiction)


# --- agencies ----------------------------------------------------------------------------


def _jurisdiction_choices():
    return [(j.id, j.name) for j in visible_jurisdictions(db.session, current_user)]


@admin_agencies.route("/")
@viewer_may_read
def index():
    filters = AgencyFilterForm(request.args)
    filters.jurisdiction_id.choices = [(0, _("All"))] + _jurisdiction_choices()
    filters.kind.choices = [("", _("All"))] + kind_choices()
    if not filters.validate():
        filters = AgencyFilterForm(formdata=None)
        filters.jurisdiction_id.choices = [(0, _("All"))] + _jurisdiction_choices()
        filters.kind.choices = [("", _("All"))] + kind_choices()
    agencies = visible_agencies(
        db.session,
        current_user,
        jurisdiction_id=filters.jurisdiction_id.data or None,
        include_deleted=bool(filters.show_deleted.data),
        search=filters.q.data or "",
        kind=AgencyKind(filters.kind.data) if filters.kind.data else None,
    )
    return render_template(
        "agencies/agencies.html", agencies=agencies, filters=filters, confirm=ConfirmForm()
    )


@admin_agencies.route("/new", methods=["GET", "POST"])
def create():
    form = AgencyForm()
    form.jurisdiction_id.choices = _jurisdiction_choices()
    if form.validate_on_submit():
        jurisdiction = jurisdiction_or_404(db.session, current_user, form.jurisdiction_id.data)
        created = commit_or_report(
            form.form_errors.append,
            lambda: services.create_agency(
                db.session,
                current_user,
                jurisdiction_id=jurisdiction.id,
                name=form.name.data,
                short_name=form.short_name.data or "",
                kind=AgencyKind(form.kind.data),
            ),
        )
        if created:
            flash(_("Agency %(name)s created.", name=form.name.data), "success")
            return redirect(url_for(".show", agency_id=created.value.id))
    return render_template("agencies/agency_form.html", form=form, agency=None)


@admin_agencies.route("/<int:agency_id>")
@viewer_may_read
def show(agency_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    return render_template(
        "agencies/agency.html", agency=agency, section_form=SectionForm(), confirm=ConfirmForm()
    )


@admin_agencies.route("/<int:agency_id>/edit", methods=["GET", "POST"])
def edit(agency_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    form = AgencyForm(obj=agency)
    # Moving an agency to another jurisdiction is not offered: its history stays where it was.
    form.jurisdiction_id.choices = [(agency.jurisdiction_id, agency.jurisdiction.name)]
    form.jurisdiction_id.data = agency.jurisdiction_id
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.update_agency(
            db.session,
            current_user,
            agency,
            name=form.name.data,
            short_name=form.short_name.data or "",
            kind=AgencyKind(form.kind.data),
        ),
    ):
        flash(_("Agency %(name)s saved.", name=agency.name), "success")
        return redirect(url_for(".show", agency_id=agency.id))
    return render_template("agencies/agency_form.html", form=form, agency=agency)


def _confirmed_action(agency_id: int, action, message: str):
    agency = agency_or_404(db.session, current_user, agency_id)
    form = ConfirmForm()
    if form.validate_on_submit() and commit_or_report(flash_error, lambda: action(agency)):
        flash(message % {"name": agency.name}, "success")
    return redirect(url_for(".show", agency_id=agency.id))


@admin_agencies.route("/<int:agency_id>/delete", methods=["POST"])
def delete(agency_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    asked = ask_first(
        title=_("Delete the agency %(name)s?", name=agency.name),
        what_happens=[
            _("It leaves the lists of agencies and of new surveys and targets."),
            _("Everything recorded about it is kept, and it can be restored from its page."),
        ],
        button=_("Delete the agency"),
        cancel_url=url_for(".show", agency_id=agency.id),
    )
    if asked:
        return asked
    return _confirmed_action(
        agency_id,
        lambda agency: services.delete_agency(db.session, current_user, agency),
        _("Agency %(name)s deleted. Its records are kept and it can be restored."),
    )


@admin_agencies.route("/<int:agency_id>/restore", methods=["POST"])
def restore(agency_id: int):
    return _confirmed_action(
        agency_id,
        lambda agency: services.restore_agency(db.session, current_user, agency),
        _("Agency %(name)s restored."),
    )


@admin_agencies.route("/<int:agency_id>/sections", methods=["POST"])
def add_section(agency_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    form = SectionForm()
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.create_section(
            db.session, current_user, agency, name=form.name.data, is_business=form.is_business.data
        ),
    ):
        flash(_("Section %(name)s added.", name=form.name.data), "success")
        return redirect(url_for(".show", agency_id=agency.id))
    return render_template(
        "agencies/agency.html", agency=agency, section_form=form, confirm=ConfirmForm()
    ), 400


@admin_agencies.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit_section(section_id: int):
    section = section_or_404(db.session, current_user, section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.update_section(
            db.session,
            current_user,
            section,
            name=form.name.data,
            is_business=form.is_business.data,
        ),
    ):
        flash(_("Section %(name)s saved.", name=section.name), "success")
        return redirect(url_for(".show", agency_id=section.agency_id))
    return render_template("agencies/section_form.html", form=form, section=section)


@admin_agencies.route("/sections/<int:section_id>/delete", methods=["POST"])
def delete_section(section_id: int):
    section = section_or_404(db.session, current_user, section_id)
    if ConfirmForm().validate_on_submit():
        services.delete_section(db.session, current_user, section)
        db.session.commit()
        flash(_("Section %(name)s removed.", name=section.name), "success")
    return redirect(url_for(".show", agency_id=section.agency_id))


@admin_agencies.route("/import", methods=["GET", "POST"])
def import_agencies():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        data = form.file.data.read()
        result = importing.parse(db.session, data, visible_jurisdictions(db.session, current_user))
        if result.ok:
            # A DomainError here means someone saved one of the names meanwhile.
            created = commit_or_report(
                lambda message: result.errors.append((0, message)),
                lambda: importing.apply(db.session, current_user, result),
            )
            if created:
                count = len(created.value)
                message = ngettext("%(num)d agency imported.", "%(num)d agencies imported.", count)
                flash(message, "success")
                return redirect(url_for(".index"))
    return render_template("agencies/import.html", form=form, result=result)


@admin_agencies.route("/import/template.xlsx")
def import_template():
    data = importing.template_bytes(visible_jurisdictions(db.session, current_user))
    return send_file(
        BytesIO(data),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="agency-import-template.xlsx",
    )


# --- the agency's own portal -------------------------------------------------------------
