"""``survey responses ...``: the raw export from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("responses")
def responses():
    """Survey responses."""


@responses.command("export")
@click.argument("campaign")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="FILE.csv, or FILE.xlsx for Excel.",
)
@with_appcontext
def export(campaign, out: Path):
    """Export every response of CAMPAIGN (its code or id) to a CSV or Excel file."""
    from survey.campaigns.queries import find_campaign
    from survey.db import db
    from survey.responses.admin import exporting

    session = db.session
    found = find_campaign(session, campaign)
    if found is None:
        raise click.BadParameter(f"no campaign with code or id {campaign!r}", param_hint="CAMPAIGN")
    started = time.perf_counter()
    write = exporting.write_xlsx if out.suffix.lower() == ".xlsx" else exporting.write_csv
    count = write(session, found, str(out))
    click.echo(
        f"Exported {count} responses of {found.code} to {out} "
        f"in {time.perf_counter() - started:.1f} s."
    )
