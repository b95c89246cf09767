"""Login and logout (public), own password (account), user management (admin)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from survey.accounts import security, services
from survey.accounts.forms import (
    ActiveFilterForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from survey.accounts.models import Role, User
from survey.actions import commit_or_report, flash_error
from survey.agencies.queries import scope_ids, visible_agencies, visible_jurisdictions
from survey.db import db
from survey.forms import ask_first

logger = logging.getLogger(__name__)

auth = Blueprint("accounts", __name__)
own_account = Blueprint("accounts", __name__)
admin_users = Blueprint("users", __name__, url_prefix="/users")


def home_for(user: User) -> str:
    if user.role.is_agency_role:
        return url_for("agency.home.index")
    return url_for("admin.home.index")


def safe_next(target: str | None) -> str | None:
    """Only a local path: never send a user who just logged in to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@auth.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data, security.client_address()
        wait = security.seconds_to_wait(username, address)
        if wait:
            # Slowed down, not locked: the password is not even checked until then.
            security.record_event(
                db.session,
                "login.delayed",
                services.find_user(db.session, username),
                username,
                acting=False,
                wait_seconds=wait,
            )
            db.session.commit()
            message = _(
                "Too many wrong passwords. Please wait %(n)d seconds, then try again.", n=wait
            )
            form.password.errors.append(message)
            return render_template("accounts/login.html", form=form), 429
        user = services.authenticate(db.session, username, form.password.data)
        if user is None:
            security.count_failure(username, address)
            logger.info("failed login for %r from %s", username, address)
            security.record_event(
                db.session,
                "login.failure",
                services.find_user(db.session, username),
                username,
                acting=False,
            )
            db.session.commit()
            flash(_("Wrong user name or password, or the account is deactivated."), "error")
        else:
            security.count_success(username, address)
            session.clear()  # a fresh session: no fixation of anything set before login
            services.start_login(db.session, user)
            security.record_event(db.session, "login.success", user, user.username, acting=True)
            login_user(user)
            session.permanent = True
            db.session.commit()
            target = safe_next(request.args.get("next"))
            if user.must_change_password:
                return redirect(url_for("account.accounts.change_password", next=target))
            return redirect(target or home_for(user))
    return render_template("accounts/login.html", form=form)


@own_account.route("/logout", methods=["POST"])
def logout():
    services.end_login(db.session, current_user.get_id())
    security.record_event(db.session, "logout", current_user, current_user.username, acting=True)
    logger.info("logout %s", current_user.username)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    response = redirect(url_for("public.accounts.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@own_account.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if commit_or_report(
            form.new_password.errors.append,
            lambda: services.change_password(
                db.session, current_user, form.current_password.data, form.new_password.data
            ),
        ):
            flash(_("Your password has been changed."), "success")
            return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    return render_template("accounts/change_password.html", form=form)


# --- user management (supervisors) -------------------------------------------------------


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or services.user_jurisdiction_id(user) not in scope_ids(
        db.session, current_user
    ):
        abort(404)
    return user


def _fill_scope_choices(form: UserForm) -> None:
    form.jurisdiction_id.choices = [(0, "—")] + [
        (j.id, j.name) for j in visible_jurisdictions(db.session, current_user)
    ]
    form.agency_id.choices = [(0, "—")] + [
        (a.id, f"{a.jurisdiction.name} · {a.name}")
        for a in visible_agencies(db.session, current_user)
    ]


def _scope_from_form(form: UserForm) -> dict:
    role = Role(form.role.data)
    return {
        "role": role,
        "jurisdiction_id": form.jurisdiction_id.data or None,
        "agency_id": form.agency_id.data or None,
    }


@admin_users.route("/")
def index():
    filters = ActiveFilterForm(request.args)
    ids = scope_ids(db.session, current_user)
    users = [
        user
        for user in db.session.scalars(select(User).order_by(User.id))
        if services.user_jurisdiction_id(user) in ids
        and (user.is_active or filters.show_inactive.data)
    ]
    return render_template(
        "accounts/users.html", users=users, filters=filters, confirm=ConfirmForm()
    )


@admin_users.route("/new", methods=["GET", "POST"])
def create():
    form = NewUserForm()
    _fill_scope_choices(form)
    if form.validate_on_submit():
        if commit_or_report(
            form.form_errors.append,
            lambda: services.create_user(
                db.session,
                current_user,
                username=form.username.data,
                display_name=form.display_name.data,
                password=form.password.data,
                **_scope_from_form(form),
            ),
        ):
            flash(_("The account %(name)s was created.", name=form.username.data), "success")
            return redirect(url_for(".index"))
    return render_template("accounts/user_form.html", form=form, user=None)


@admin_users.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.jurisdiction_id.data = user.jurisdiction_id or 0
        form.agency_id.data = user.agency_id or 0
    _fill_scope_choices(form)
    if form.validate_on_submit():
        if commit_or_report(
            form.form_errors.append,
            lambda: services.update_user(
                db.session,
                current_user,
                user,
                username=form.username.data,
                display_name=form.display_name.data,
                **_scope_from_form(form),
            ),
        ):
            flash(_("The account %(name)s was saved.", name=user.username), "success")
            return redirect(url_for(".index"))
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        reset_form=ResetPasswordForm(),
        confirm=ConfirmForm(),
    )


@admin_users.route("/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    user = _user_or_404(user_id)
    if request.form.get("active") != "1" and user.id != current_user.id:  # else refused below
        asked = ask_first(
            title=_("Deactivate the account %(name)s?", name=user.username),
            what_happens=[
                _("The user is logged out everywhere at once and can no longer log in."),
                _("What the user recorded is kept; the account can be reactivated later."),
            ],
            button=_("Deactivate the account"),
            cancel_url=url_for(".index"),
        )
        if asked:
            return asked
    form = ConfirmForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        if commit_or_report(
            flash_error, lambda: services.set_active(db.session, current_user, user, active)
        ):
            message = (
                _("Account %(name)s reactivated.")
                if active
                else _("Account %(name)s deactivated; its sessions have ended.")
            )
            flash(message % {"name": user.username}, "success")
    return redirect(url_for(".index"))


@admin_users.route("/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if commit_or_report(
            flash_error,
            lambda: services.reset_password(db.session, current_user, user, form.password.data),
        ):
            flash(_("A one-time password was set for %(name)s.", name=user.username), "success")
    else:
        flash(_("Enter the new one-time password."), "error")
    return redirect(url_for(".edit", user_id=user.id))
