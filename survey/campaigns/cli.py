"""``survey campaign tokens``: issue single-use tokens from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.db import db


@click.group("campaign")
def campaign_cli():
    """Surveys (campaigns)."""


@campaign_cli.command("tokens")
@click.argument("campaign")
@click.option("--count", type=int, required=True, help="Tokens to issue (per rating agency).")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True, help="CSV of links.")
@click.option("--pdf", type=click.Path(dir_okay=False), help="Also write the printable QR slips.")
@click.option(
    "--rater-agency", type=int, help="Peer review: the rating agency's id (default: every one)."
)
@with_appcontext
def tokens(campaign, count, out, pdf, rater_agency):
    """Issue COUNT tokens for CAMPAIGN (its code or id). The tokens exist only in the files
    written now: keep them safe, hand them out, then delete the files."""
    _issue(campaign, count, Path(out), Path(pdf) if pdf else None, rater_agency)


def _issue(key, count, out: Path, pdf: Path | None, rater_agency):
    from survey.campaigns import links, printing, services
    from survey.campaigns.queries import find_campaign
    from survey.errors import DomainError

    session = db.session
    campaign = find_campaign(session, key)
    if campaign is None:
        raise click.ClickException(f"No survey with the code or id {key!r}.")
    if campaign.respondent_group == "peer":
        every = [link.agency_id for link in campaign.campaign_agencies]
        raters = [rater_agency] if rater_agency else every
    else:
        raters = [rater_agency] if rater_agency else [None]
    try:
        issued = services.issue_tokens(session, None, campaign, count, raters)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(str(error.message)) from None
    names = {link.agency_id: link.agency.name for link in campaign.campaign_agencies}
    slips = [links.token_slip(t, names.get(r)) for t, r in issued]
    out.write_bytes(links.links_csv(slips))
    if pdf is not None:
        pdf.write_bytes(printing.token_sheet_pdf(campaign.title, slips))
    session.commit()  # only once the files are written: no token is issued unseen
    click.echo(f"{len(issued)} tokens issued for {campaign.title}; links in {out}")
    if pdf is not None:
        click.echo(f"QR slips in {pdf}")
