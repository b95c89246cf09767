"""``survey scores``: compute a year's scores, trace an agency's composite, export the table."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.db import db


@click.group("scores")
def scores_cli():
    """The year's scores (scoring runs)."""


def _year(year: int, jurisdiction: str | None):
    from survey.agencies.models import Jurisdiction
    from survey.years.models import AssessmentYear

    statement = select(AssessmentYear).where(AssessmentYear.year == year)
    if jurisdiction:
        statement = statement.join(Jurisdiction).where(Jurisdiction.name == jurisdiction)
    found = db.session.scalars(statement.order_by(AssessmentYear.jurisdiction_id)).all()
    if not found:
        raise click.ClickException(
            f"No assessment year {year}" + (f" for {jurisdiction}" if jurisdiction else "") + "."
        )
    if len(found) > 1:
        names = ", ".join(y.jurisdiction.name for y in found)
        raise click.ClickException(
            f"Year {year} exists for several jurisdictions ({names}): add --jurisdiction."
        )
    return found[0]


def _run(year, number: int | None):
    from survey.scores import queries, services
    from survey.scores.models import ScoringRun

    if number is not None:
        run = db.session.scalar(
            select(ScoringRun).where(ScoringRun.year_id == year.id, ScoringRun.number == number)
        )
    else:
        run = services.final_run(db.session, year.id) or next(
            iter(queries.runs_of(db.session, year.id)), None
        )
    if run is None:
        raise click.ClickException(
            f"Year {year.year} has no scoring run yet: run `survey scores compute {year.year}`."
        )
    return run


JURISDICTION = click.option(
    "--jurisdiction", help="The jurisdiction's name, when several have the year."
)
RUN = click.option(
    "--run", "number", type=int, help="The run's number (default: the final run, else the latest)."
)


@scores_cli.command("compute")
@click.argument("year", type=int)
@JURISDICTION
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Judge deadlines as of this day (default: today, Beijing).",
)
@with_appcontext
def compute(year, jurisdiction, as_of):
    """Compute YEAR's scores from everything collected and store them as a new run."""
    from survey.clock import beijing_today
    from survey.errors import DomainError
    from survey.scores import services

    assessment_year = _year(year, jurisdiction)
    day = as_of.date() if as_of else beijing_today()
    try:
        run = services.compute_run(db.session, None, assessment_year, day)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        for message in getattr(error, "problems", None) or [error.message]:
            click.echo(str(message), err=True)
        raise click.exceptions.Exit(2) from None
    ranked = sum(result.ranked for result in run.agency_results)
    click.echo(
        f"Run {run.number} of {assessment_year.jurisdiction.name} {year}: "
        f"{len(run.agency_results)} agencies, {ranked} ranked; "
        f"{run.input_counts['responses']} responses; input checksum {run.input_checksum[:16]}"
    )


@scores_cli.command("explain")
@click.argument("year", type=int)
@click.argument("agency")
@JURISDICTION
@RUN
@click.option("--json", "as_json", is_flag=True, help="Print the whole explanation as JSON.")
@with_appcontext
def explain(year, agency, jurisdiction, number, as_json):
    """Trace AGENCY's composite (its id or name) to dimensions, sources, items and targets."""
    from survey.scores.words import not_rated_text

    run = _run(_year(year, jurisdiction), number)
    agencies = run.result_data()["agencies"]
    found = [a for a in agencies if str(a["agency_id"]) == agency or a["name"] == agency]
    if not found:
        raise click.ClickException(f"No agency {agency!r} in run {run.number}.")
    a = found[0]
    if as_json:
        click.echo(json.dumps(a, ensure_ascii=False, indent=2))
        return
    click.echo(f"{a['name']} — run {run.number} of {year}")
    click.echo(
        f"composite {_n(a['composite'])} [{_n(a['composite_low'])}, {_n(a['composite_high'])}]"
        f" = weighted sum {_n(a['engine']['composite_before_adjustment'])}"
        f" {a['adjustment']:+.2f} 加减分"
    )
    click.echo(
        f"rank {a['rank']} ({a['rank_low']}–{a['rank_high']}), band {a['band']}"
        if a["ranked"]
        else "not ranked, not banded"
    )
    for entry in a["not_rated"]:
        click.echo(f"  ! {not_rated_text(entry)}")
    for d in a["engine"]["dimensions"]:
        click.echo(f"  {d['dimension']}: {_n(d['score'])} × weight {d['weight']}")
        for g in d.get("groups", []):
            if g["weight"] > 0 and g["present"]:
                click.echo(
                    f"    {g['group']}: weight {g['weight']:.3f}, n {g['n']}"
                    f" (+{g['n_with_flagged'] - g['n']} excluded), score {_n(g['score'])}"
                )
                for i in g.get("items", []):
                    click.echo(f"      {i['item_id']}: n {i['n']}, mean {_n(i['mean'])}")
    for t in a["sources"]["timeliness"]["targets"]:
        click.echo(
            f"  target {t['target_id']} {t['title']}: {t['outcome']}"
            f" ({t['days_late']} days) → {_n(t['score'])}"
        )
    for i in a["sources"]["adjustment"]["items"]:
        click.echo(
            f"  加减分 {i['points']:+.2f} {i['reason']}" + ("" if i["counts"] else " (reversed)")
        )


def _n(value) -> str:
    return "—" if value is None else f"{value:.2f}"


@scores_cli.command("export")
@click.argument("year", type=int)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    required=True,
    help="FILE.xlsx, FILE.csv or FILE.json",
)
@JURISDICTION
@RUN
@with_appcontext
def export(year, out, jurisdiction, number):
    """Write YEAR's score table for the performance assessment."""
    from survey.scores import exporting

    run = _run(_year(year, jurisdiction), number)
    path = Path(out)
    if path.suffix == ".xlsx":
        path.write_bytes(exporting.score_xlsx(run, run.result_data()))
    elif path.suffix == ".csv":
        path.write_bytes(exporting.score_csv(run, run.result_data()))
    elif path.suffix == ".json":
        path.write_text(run.results, encoding="utf-8")
    else:
        raise click.ClickException("Write to a .xlsx, .csv or .json file.")
    click.echo(f"Run {run.number} of {year} written to {path}")
