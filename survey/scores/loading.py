"""The year's valid responses, read in bulk into the wide frame ``analysis.evaluate`` takes.

No ORM object per response: PostgreSQL streams ``COPY (…) TO STDOUT`` as CSV into
``pandas.read_csv``; SQLite goes through one cursor into arrays. The long answers table (one
row per response and item) is spread into one float column per rating item with numpy.

Rating items are named ``<slug>.v<version>.<item id>``: two questionnaires may use the same
item id for different questions, and a new version may reword one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.campaigns.models import Campaign, CampaignState
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.schema import parse_definition
from survey.responses.models import FlagReason, FlagReview, Response, ResponseFlag

# The collection's flags exclude a response unless a supervisor's latest review includes it
# (SPEC §3); the engine's own detectors report but do not exclude (METHODS.md, web app).
EXCLUDING_FLAGS = tuple(reason.value for reason in FlagReason)
REVIEWED = "reviewed"
SCORED_STATES = (CampaignState.open.value, CampaignState.closed.value)


@dataclass(frozen=True)
class RatingItem:
    key: str
    version_id: int
    item_id: str
    dimension: str
    points: int
    groups: tuple[str, ...]
    text: str


def rating_items(session: Session, year_id: int) -> list[RatingItem]:
    """Every rating item of the questionnaires the year's open and closed campaigns use."""
    rows = session.execute(
        select(Campaign.questionnaire_version_id, Campaign.respondent_group)
        .where(Campaign.year_id == year_id, Campaign.state.in_(SCORED_STATES))
        .order_by(Campaign.questionnaire_version_id, Campaign.respondent_group)
    ).all()
    groups: dict[int, list[str]] = {}
    for version_id, group in rows:
        if group not in groups.setdefault(version_id, []):
            groups[version_id].append(group)
    items = []
    for version in session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id.in_(list(groups)))
        .order_by(QuestionnaireVersion.id)
    ):
        definition = parse_definition(version.definition, f"version {version.id}")
        prefix = f"{definition.slug}.v{definition.version}"
        for item in definition.rating_items:
            items.append(
                RatingItem(
                    key=f"{prefix}.{item.id}",
                    version_id=version.id,
                    item_id=item.id,
                    dimension=item.dimension,
                    points=item.scale.points,
                    groups=tuple(groups[version.id]),
                    text=item.text,
                )
            )
    return items


def _answer_query(year_id: int, items: list[RatingItem]) -> str:
    """Responses of the year's scored campaigns with their rating answers (one row per
    answer; a response with none still appears once). Only integers are formatted in."""
    by_version: dict[int, list[str]] = {}
    for item in items:
        by_version.setdefault(item.version_id, []).append(item.item_id)
    if by_version:
        rating = " OR ".join(
            f"(r.questionnaire_version_id = {int(v)} AND a.item_id IN ("
            + ", ".join(_quote(i) for i in ids)
            + "))"
            for v, ids in sorted(by_version.items())
        )
    else:
        rating = "1 = 0"
    states = ", ".join(_quote(s) for s in SCORED_STATES)
    # COPY takes no bind parameters: only integers and checked identifiers are formatted in.
    sql = (
        "SELECT r.id, c.respondent_group, r.agency_id, r.rater_agency_id, r.duration_seconds,"  # noqa: S608
        " r.submitted_at, r.questionnaire_version_id, a.item_id, a.value"
        " FROM responses r JOIN campaigns c ON c.id = r.campaign_id"
        f" LEFT JOIN answers a ON a.response_id = r.id AND ({rating})"
        f" WHERE c.year_id = {int(year_id)} AND c.state IN ({states})"
        " ORDER BY r.id, a.item_id"
    )
    return sql


def _quote(text: str) -> str:
    # Item ids match [A-Za-z][A-Za-z0-9_]* (schema.ITEM_ID) and states are enum values.
    if not text.replace("_", "").isalnum() or not text.isascii():
        raise ValueError(f"unexpected identifier {text!r}")
    return f"'{text}'"


COLUMNS = ("id", "group", "agency_id", "rater_id", "duration", "submitted_at", "version")
COLUMNS += ("item_id", "value")


def _read_long(session: Session, sql: str) -> pd.DataFrame:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        buffer = io.BytesIO()
        with raw.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        frame = pd.read_csv(
            buffer,
            names=list(COLUMNS),
            header=None,
            dtype={"group": str, "item_id": str, "value": str, "submitted_at": str},
            keep_default_na=False,
            na_values={"rater_id": [""], "duration": [""], "value": [""], "item_id": [""]},
        )
        return frame
    # The driver's own cursor on the session's connection (same transaction): plain tuples,
    # no Row objects per answer.
    rows = connection.connection.driver_connection.execute(sql).fetchall()
    if not rows:
        return pd.DataFrame({name: [] for name in COLUMNS})
    return pd.DataFrame.from_records(rows, columns=list(COLUMNS))


def _flags(session: Session, year_id: int) -> dict[int, str]:
    """Each flagged response's flag names; ``reviewed`` added when a supervisor's latest
    review includes it (an excluding review leaves the flags to exclude it)."""
    in_year = select(Response.id).join(Campaign, Campaign.id == Response.campaign_id)
    in_year = in_year.where(Campaign.year_id == year_id)
    flags: dict[int, list[str]] = {}
    for response_id, reason in session.execute(
        select(ResponseFlag.response_id, ResponseFlag.reason)
        .where(ResponseFlag.response_id.in_(in_year))
        .order_by(ResponseFlag.response_id, ResponseFlag.reason)
    ):
        flags.setdefault(response_id, []).append(reason.value)
    latest: dict[int, bool] = {}
    for response_id, include in session.execute(
        select(FlagReview.response_id, FlagReview.include)
        .where(FlagReview.response_id.in_(in_year))
        .order_by(FlagReview.response_id, FlagReview.id)
    ):
        latest[response_id] = bool(include)
    for response_id, include in latest.items():
        if include and response_id in flags:
            flags[response_id].append(REVIEWED)
    return {key: ";".join(names) for key, names in flags.items()}


def load_responses(session: Session, year_id: int, items: list[RatingItem]) -> pd.DataFrame:
    """One row per response of the year's open and closed campaigns, sorted by id: the
    columns ``analysis.evaluate`` needs and one float column per rating item (NaN for 不了解
    or not asked)."""
    long = _read_long(session, _answer_query(year_id, items))
    ids, first = np.unique(long["id"].to_numpy(dtype=np.int64), return_index=True)
    head = long.iloc[first]
    frame = pd.DataFrame(
        {
            "response_id": ids,
            "group": head["group"].astype(str).to_numpy(dtype=object),
            "agency_id": head["agency_id"].to_numpy(dtype=np.int64),
            "rater_id": pd.to_numeric(head["rater_id"]).to_numpy(dtype=float),
            "duration_s": pd.to_numeric(head["duration"]).to_numpy(dtype=float),
            "submitted_at": pd.to_datetime(head["submitted_at"], utc=True, format="ISO8601")
            .dt.tz_localize(None)
            .to_numpy(),
        }
    )
    flags = _flags(session, year_id)
    frame["flags"] = pd.Series(ids).map(flags).fillna("").to_numpy(dtype=object)
    keys = {(item.version_id, item.item_id): n for n, item in enumerate(items)}
    values = np.full((len(ids), len(items)), np.nan)
    answered = long["item_id"].notna().to_numpy()
    if answered.any():
        part = long[answered]
        names, item_ids = pd.factorize(part["item_id"].to_numpy(dtype=object))
        pair = part["version"].to_numpy(dtype=np.int64) * len(item_ids) + names
        codes, pairs = pd.factorize(pair)
        lookup = np.array(
            [keys[(int(p // len(item_ids)), item_ids[p % len(item_ids)])] for p in pairs],
            dtype=np.int64,
        )
        row = np.searchsorted(ids, part["id"].to_numpy(dtype=np.int64))
        values[row, lookup[codes]] = pd.to_numeric(part["value"], errors="coerce").to_numpy(float)
    for n, item in enumerate(items):
        frame[item.key] = values[:, n]
    return frame


def items_table(items: list[RatingItem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": [item.key for item in items],
            "dimension": [item.dimension for item in items],
            "scale": [f"points{item.points}" for item in items],
            "groups": [",".join(item.groups) for item in items],
        }
    )
