"""``survey questionnaires load``: the standard questionnaires into the database."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from survey.db import db


@click.group("questionnaires")
def questionnaires_cli():
    """Standard questionnaires (questionnaires/<slug>/v<N>.yaml)."""


@questionnaires_cli.command("load")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False),
    help="Read the files from here instead of the packaged questionnaires/ folder.",
)
@with_appcontext
def load(folder):
    """Load every questionnaire version not loaded yet; a bad file loads nothing."""
    from survey.questionnaires.loading import LoadError, load_all

    try:
        report = load_all(db.session, folder)
    except LoadError as error:
        db.session.rollback()
        for message in error.errors:
            click.echo(message, err=True)
        sys.exit(1)
    db.session.commit()
    for label in report.loaded:
        click.echo(f"loaded    {label}")
    for label in report.unchanged:
        click.echo(f"unchanged {label}")
