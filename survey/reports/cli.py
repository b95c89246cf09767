"""``survey reports``: build the year's supervision report and feedback sheets from a run
(stored like the ones built on the page) and write them to a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.db import db
from survey.scores.cli import JURISDICTION, RUN, _run, _year


@click.group("reports")
def reports_cli():
    """The year's supervision report and feedback sheets (.docx)."""


def _fail(error) -> None:
    db.session.rollback()
    raise click.ClickException(str(error.message)) from None


@reports_cli.command("supervision")
@click.argument("year", type=int)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="FILE.docx")
@click.option(
    "--advice",
    type=click.File(encoding="utf-8"),
    help="A text file with the 意见建议, saved as their new version (default: the saved one).",
)
@JURISDICTION
@RUN
@with_appcontext
def supervision(year, out, advice, jurisdiction, number):
    """Build YEAR's supervision report (第十二条(六)) from a scoring run."""
    from survey.clock import beijing_today
    from survey.errors import DomainError
    from survey.evidence import storage
    from survey.reports import services

    run = _run(_year(year, jurisdiction), number)
    try:
        if advice is not None:
            text = advice.read()
            current = services.latest_advice(db.session, run.year_id)
            if current is None or current.text != text.strip():
                services.save_advice(db.session, None, run.year, text)
        build = services.build_supervision(db.session, None, run, beijing_today())
        db.session.commit()
    except DomainError as error:
        _fail(error)
    Path(out).write_bytes(storage.path_of(build.sha256).read_bytes())
    click.echo(
        f"Report of run {run.number} written to {out}"
        f" (build {build.id}, sha256 {build.sha256[:16]})"
        + (" — draft (征求意见稿): the run is not final" if build.draft else "")
    )


@reports_cli.command("feedback")
@click.argument("year", type=int)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    required=True,
    help="FILE.docx (one agency, or every sheet in one document) or FILE.zip (separate files)",
)
@click.option("--agency", help="Only this agency (its name or id).")
@JURISDICTION
@RUN
@with_appcontext
def feedback_sheets(year, out, agency, jurisdiction, number):
    """Build YEAR's feedback sheets (第十二条(七)) from a scoring run."""
    from survey.clock import beijing_today
    from survey.errors import DomainError
    from survey.evidence import storage
    from survey.reports import services

    run = _run(_year(year, jurisdiction), number)
    agency_id = None
    if agency:
        found = [
            a for a in run.agency_results if str(a.agency_id) == agency or a.agency.name == agency
        ]
        if not found:
            raise click.ClickException(f"No agency {agency!r} in run {run.number}.")
        agency_id = found[0].agency_id
    path = Path(out)
    if path.suffix not in (".docx", ".zip") or (agency_id and path.suffix == ".zip"):
        raise click.ClickException("Write to a .docx file (or, for every agency, a .zip).")
    try:
        builds = services.build_feedback(
            db.session, None, run, beijing_today(), agency_id=agency_id
        )
        db.session.commit()
    except DomainError as error:
        _fail(error)
    chosen = (
        builds.sheets[0]
        if agency_id
        else (builds.zipped if path.suffix == ".zip" else builds.composed)
    )
    path.write_bytes(storage.path_of(chosen.sha256).read_bytes())
    click.echo(f"{len(builds.sheets)} feedback sheet(s) of run {run.number} written to {out}")
