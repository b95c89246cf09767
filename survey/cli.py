"""The ``survey`` command: a Flask CLI group bound to the app factory. Commands stay thin."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from survey import create_app
from survey.campaigns.cli import campaign_cli
from survey.config import ConfigError
from survey.db import utcnow
from survey.questionnaires.cli import questionnaires_cli
from survey.reports.cli import reports_cli
from survey.responses.admin.cli import responses as responses_commands
from survey.scores.cli import scores_cli


def _create_app():
    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main():
    """Function supervision and social evaluation platform."""


@main.group()
def db():
    """Database schema (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@with_appcontext
def db_upgrade(revision):
    """Migrate the database to the latest schema."""
    from survey import migrations

    migrations.upgrade(current_app.config["DATABASE_URL"], revision=revision)
    click.echo("Database is at revision " + revision + ".")


@db.command("downgrade")
@click.option("--revision", required=True)
@with_appcontext
def db_downgrade(revision):
    """Step the schema back to REVISION (dangerous: drops data of later revisions)."""
    from survey import migrations

    migrations.downgrade(current_app.config["DATABASE_URL"], revision=revision)
    click.echo("Database is at revision " + revision + ".")


@db.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, writable=True), required=False)
@with_appcontext
def db_backup(archive):
    """Write the database and every evidence file to one archive (default:
    instance/backups/survey-<UTC time>.tar)."""
    from pathlib import Path

    from survey import backups
    from survey.evidence.storage import evidence_root

    if archive is None:
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        archive = Path(current_app.config["INSTANCE_PATH"]) / "backups" / f"survey-{stamp}.tar"
    try:
        manifest = backups.backup(
            current_app.config["DATABASE_URL"], evidence_root(), Path(archive)
        )
    except (backups.BackupError, OSError, subprocess.CalledProcessError) as error:
        click.echo(f"Backup failed: {_reason(error)}", err=True)
        sys.exit(1)
    counts = manifest["counts"]
    click.echo(
        f"Backup written to {archive}: {counts.get('responses', 0)} responses, "
        f"{counts.get('tokens', 0)} tokens, {len(manifest['evidence'])} evidence files."
    )


@db.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def db_restore(archive):
    """Load ARCHIVE into the configured database, which must be empty, and its evidence
    files into the instance folder; every file and row count is checked."""
    from pathlib import Path

    from survey import backups
    from survey.evidence.storage import evidence_root

    try:
        manifest = backups.restore(
            current_app.config["DATABASE_URL"], evidence_root(), Path(archive)
        )
    except (backups.BackupError, OSError, subprocess.CalledProcessError) as error:
        click.echo(f"Restore failed: {_reason(error)}", err=True)
        sys.exit(1)
    counts = manifest["counts"]
    click.echo(
        f"Restored {archive} (made {manifest['created_at']}): "
        f"{counts.get('responses', 0)} responses, {len(manifest['evidence'])} evidence files."
    )


def _reason(error) -> str:
    stderr = getattr(error, "stderr", None)
    if stderr:
        return stderr.decode(errors="replace").strip().splitlines()[-1]
    return str(error)


def print_logins(logins) -> None:
    from survey.demo.loader import DEMO_PASSWORD

    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.username:<14} {login.role.value:<14} {login.scope}")


@main.command("demo")
@with_appcontext
def demo():
    """Load the demo data (Zaozhuang) into an empty database."""
    from survey.db import db as database
    from survey.demo import loader

    session = database.session
    if not loader.is_empty(session):
        click.echo("The database already has data; the demo was not loaded.")
        print_logins(loader.demo_logins())
        print_survey_links(session)
        return
    from survey.demo import scores
    from survey.years.models import AssessmentYear

    logins = loader.load(session)
    session.commit()
    year = session.scalar(select(AssessmentYear).where(AssessmentYear.year == loader.DEMO_YEAR))
    scores.score(session, year.id)
    from survey.demo import reports

    reports.build(session, year.id)
    click.echo(
        "Demo data loaded; the year's scores computed (two runs); the report and the"
        " feedback sheets built from run 2."
    )
    print_logins(logins)
    print_survey_links(session)


def print_survey_links(session) -> None:
    """The open surveys a newcomer can answer at once (on a phone on the same network, set
    SURVEY_BASE_URL to this machine's address)."""
    from survey.campaigns.links import campaign_url, printed
    from survey.campaigns.models import AccessMode, Campaign, CampaignState

    surveys = session.scalars(
        select(Campaign).where(
            Campaign.state == CampaignState.open, Campaign.access_mode == AccessMode.open_link
        )
    ).all()
    for campaign in surveys:
        click.echo(f"Open survey: {campaign.title}  {printed(campaign_url(campaign))}")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["supervisor", "agency_editor", "agency_leader", "viewer"]),
)
@click.option("--jurisdiction", help="Jurisdiction name (supervisor, viewer).")
@click.option("--agency", help="Agency full name (agency_editor, agency_leader).")
@click.password_option(prompt="Password", confirmation_prompt=True)
@with_appcontext
def create_user_command(username, display_name, role, jurisdiction, agency, password):
    """Create a staff account."""
    from survey.accounts.models import Role
    from survey.accounts.services import create_user
    from survey.agencies.models import Agency, Jurisdiction
    from survey.db import db as database
    from survey.errors import DomainError

    session = database.session
    role = Role(role)
    scope = {}
    if role.is_agency_role:
        if not agency:
            raise click.BadParameter("an agency role needs --agency", param_hint="--agency")
        found = session.scalars(
            select(Agency).where(Agency.name == agency, Agency.deleted_at.is_(None))
        ).all()
        if len(found) != 1:
            raise click.BadParameter(
                f"no agency named {agency!r}" if not found else f"{agency!r} is ambiguous",
                param_hint="--agency",
            )
        scope["agency_id"] = found[0].id
    else:
        if not jurisdiction:
            raise click.BadParameter(
                f"role {role.value} needs --jurisdiction", param_hint="--jurisdiction"
            )
        found = session.scalars(select(Jurisdiction).where(Jurisdiction.name == jurisdiction)).all()
        if len(found) != 1:
            raise click.BadParameter(
                f"no jurisdiction named {jurisdiction!r}", param_hint="--jurisdiction"
            )
        scope["jurisdiction_id"] = found[0].id
    try:
        user = create_user(
            session,
            None,
            username=username,
            display_name=display_name,
            role=role,
            password=password,
            must_change_password=False,
            **scope,
        )
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    session.commit()
    click.echo(f"Created {user.username} ({role.value}).")


main.add_command(questionnaires_cli)
main.add_command(campaign_cli)
main.add_command(responses_commands)
main.add_command(scores_cli)
main.add_command(reports_cli)


if __name__ == "__main__":
    main()
