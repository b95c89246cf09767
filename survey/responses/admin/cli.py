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


@responses.command("tally")
@click.argument("campaign", required=False)
@click.option("--rebuild", is_flag=True, help="Count from nothing instead of from the watermark.")
@with_appcontext
def tally(campaign, rebuild: bool):
    """Bring the stored tallies of CAMPAIGN (its code or id; default: every campaign) up to
    date, e.g. after a bulk import, so that no page view has to count them."""
    from sqlalchemy import select

    from survey.campaigns.models import Campaign
    from survey.campaigns.queries import find_campaign
    from survey.db import db
    from survey.responses.admin.results import figure_items
    from survey.responses.admin.tallies import current_tally

    session = db.session
    if campaign is None:
        chosen = list(session.scalars(select(Campaign).order_by(Campaign.id)))
    else:
        found = find_campaign(session, campaign)
        if found is None:
            raise click.BadParameter(
                f"no campaign with code or id {campaign!r}", param_hint="CAMPAIGN"
            )
        chosen = [found]
    for one in chosen:
        started = time.perf_counter()
        counted = current_tally(
            session, one.id, [item.id for item in figure_items(one)], rebuild=rebuild
        )
        session.commit()
        total = sum(t for t, _ in counted.agencies.values())
        click.echo(
            f"{one.code}: {total} responses tallied in {time.perf_counter() - started:.1f} s."
        )
