"""The year's valid responses, read in bulk into the wide frame ``analysis.evaluate`` takes.

No ORM object per response: PostgreSQL streams ``COPY (…) TO STDOUT`` as CSV into
``pandas.read_csv``; SQLite goes through one cursor into arrays. The long answers table (one
row per response and item) is spread into one float column per rating item with numpy.

One column serves every questionnaire's item of the same id, dimension and scale, named
``<dimension>.<points>.<item id>`` (e.g. ``effectiveness.5.E1``): the engine scores each
respondent group apart, so the public's E1 and the deputies' E1 never meet, while the frame
stays as narrow as the longest questionnaire (14 columns for the standard four, not 38).
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
        for item in definition.rating_items:
            items.append(
                RatingItem(
                    key=f"{item.dimension}.{item.scale.points}.{item.id}",
                    version_id=version.id,
                    item_id=item.id,
                    dimension=item.dimension,
                    points=item.scale.points,
                    groups=tuple(groups[version.id]),
                    text=item.text,
                )
            )
    return items


STATES_SQL = ", ".join(f"'{state}'" for state in SCORED_STATES)  # enum values, no input
CHUNK = 200_000  # SQLite rows per fetch: bounds the Python tuples alive at once
RESPONSE_COLUMNS = ("id", "group", "agency_id", "rater_id", "duration", "submitted_at")
ANSWER_COLUMNS = ("id", "column", "value")


def _scored(year_id: int) -> str:
    return (
        " FROM responses r JOIN campaigns c ON c.id = r.campaign_id"
        f" WHERE c.year_id = {int(year_id)} AND c.state IN ({STATES_SQL})"
    )


def response_query(year_id: int, dialect: str) -> str:
    """One row per response of the year's scored campaigns, by id; the submission instant as
    whole seconds since the epoch (the same integer on both databases)."""
    seconds = (
        "CAST(FLOOR(EXTRACT(EPOCH FROM r.submitted_at)) AS BIGINT)"
        if dialect == "postgresql"
        else "CAST(strftime('%s', r.submitted_at) AS INTEGER)"
    )
    return (
        "SELECT r.id, c.respondent_group, r.agency_id, r.rater_agency_id,"
        f" r.duration_seconds, {seconds}" + _scored(year_id) + " ORDER BY r.id"
    )


def answer_query(year_id: int, items: list[RatingItem], dialect: str) -> str | None:
    """One row per rating answer: the response, the item's column number (a join on a small
    VALUES table of questionnaire version, item id and column) and the value as a number
    (NULL for 不了解). Only integers and checked identifiers are formatted in: COPY takes no
    bind parameters."""
    if not items:
        return None
    keys = column_keys(items)
    columns = ", ".join(
        f"({int(item.version_id)}, {_quote(item.item_id)}, {keys.index(item.key)})"
        for item in items
    )
    number = "DOUBLE PRECISION" if dialect == "postgresql" else "REAL"
    return (
        f"WITH m(v, item, col) AS (VALUES {columns})"  # noqa: S608
        f" SELECT a.response_id, m.col, CAST(a.value AS {number})"
        " FROM m JOIN answers a ON a.item_id = m.item"
        " JOIN responses r ON r.id = a.response_id AND r.questionnaire_version_id = m.v"
        " JOIN campaigns c ON c.id = r.campaign_id"
        f" WHERE c.year_id = {int(year_id)} AND c.state IN ({STATES_SQL})"
    )


def _quote(text: str) -> str:
    # Item ids match [A-Za-z][A-Za-z0-9_]* (schema.ITEM_ID).
    if not text.replace("_", "").isalnum() or not text.isascii():
        raise ValueError(f"unexpected identifier {text!r}")
    return f"'{text}'"


def iter_rows(session: Session, sql: str, columns: tuple[str, ...], dtypes: dict):
    """The rows of ``sql`` as DataFrames of ``CHUNK`` rows: PostgreSQL COPY … TO STDOUT (CSV)
    read by ``pandas.read_csv``; SQLite the driver's own cursor on the session's connection
    (same transaction; plain tuples, no Row objects). A caller that folds each chunk in never
    holds the whole table."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        buffer = io.BytesIO()
        with raw.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        if not buffer.getbuffer().nbytes:
            return
        yield from pd.read_csv(
            buffer,
            names=list(columns),
            header=None,
            dtype=dtypes,
            keep_default_na=False,
            na_values=[""],
            chunksize=CHUNK,
        )
        return
    cursor = raw.execute(sql)
    numeric = all(kind is not str for kind in dtypes.values())
    while chunk := cursor.fetchmany(CHUNK):
        if numeric:  # straight into one float array (None → NaN): no object columns
            frame = pd.DataFrame(np.array(chunk, dtype=float), columns=list(columns))
        else:
            frame = pd.DataFrame.from_records(chunk, columns=list(columns))
        yield frame.astype({k: v for k, v in dtypes.items() if v is not str})


def read_rows(session: Session, sql: str, columns: tuple[str, ...], dtypes: dict) -> pd.DataFrame:
    """All rows of ``sql`` in one DataFrame (see ``iter_rows``)."""
    parts = list(iter_rows(session, sql, columns, dtypes))
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=dtypes.get(name, float)) for name in columns})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def excluded(flags: pd.Series) -> np.ndarray:
    """Which responses the scores leave out: a collection flag, and no supervisor's review
    including it. Decided once per distinct flags value, not per response."""
    codes, values = pd.factorize(flags.fillna("").to_numpy(dtype=object))
    if not len(values):
        return np.zeros(len(flags), dtype=bool)
    rule = set(EXCLUDING_FLAGS)
    decided = np.array(
        [bool(set(v.split(";")) & rule) and REVIEWED not in v.split(";") for v in values],
        dtype=bool,
    )
    return decided[codes]


def _flags(session: Session, year_id: int) -> dict[int, str]:
    """Each flagged response's flag names; ``reviewed`` added when a supervisor's latest
    review includes it (an excluding review leaves the flags to exclude it)."""
    flags: dict[int, list[str]] = {}
    for response_id, reason in session.execute(
        select(ResponseFlag.response_id, ResponseFlag.reason)
        .join(Response, Response.id == ResponseFlag.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .where(Campaign.year_id == year_id)
        .order_by(ResponseFlag.response_id, ResponseFlag.reason)
    ):
        flags.setdefault(response_id, []).append(reason.value)
    latest: dict[int, bool] = {}
    for response_id, include in session.execute(
        select(FlagReview.response_id, FlagReview.include)
        .join(Response, Response.id == FlagReview.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .where(Campaign.year_id == year_id)
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
    dialect = session.connection().dialect.name
    head = read_rows(
        session,
        response_query(year_id, dialect),
        RESPONSE_COLUMNS,
        {"id": "int64", "group": str, "agency_id": "int64", "rater_id": "float64",
         "duration": "float64", "submitted_at": "float64"},
    )  # fmt: skip
    ids = head["id"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame(
        {
            "response_id": ids,
            "group": head["group"].astype(str).to_numpy(dtype=object),
            "agency_id": head["agency_id"].to_numpy(dtype=np.int64),
            "rater_id": head["rater_id"].to_numpy(dtype=float),
            "duration_s": head["duration"].to_numpy(dtype=float),
            "submitted_at": pd.to_datetime(head["submitted_at"].to_numpy(), unit="s"),
        }
    )
    del head
    flags = _flags(session, year_id)
    frame["flags"] = pd.Series(ids).map(flags).fillna("").to_numpy(dtype=object)
    keys = column_keys(items)
    values = np.full((len(ids), len(keys)), np.nan)
    sql = answer_query(year_id, items, dialect)
    if sql is not None and len(ids):
        types = {"id": "int64", "column": "int64", "value": "float64"}
        for answers in iter_rows(session, sql, ANSWER_COLUMNS, types):  # folded in chunk by chunk
            row = np.searchsorted(ids, answers["id"].to_numpy(dtype=np.int64))
            values[row, answers["column"].to_numpy(dtype=np.int64)] = answers["value"].to_numpy()
    for n, key in enumerate(keys):
        frame[key] = values[:, n]
    return frame


def column_keys(items: list[RatingItem]) -> list[str]:
    """The frame's item columns, in first-seen order."""
    return list(dict.fromkeys(item.key for item in items))


def items_table(items: list[RatingItem]) -> pd.DataFrame:
    """One row per column: its dimension, scale, and the groups whose questionnaires ask it."""
    groups: dict[str, set[str]] = {}
    first: dict[str, RatingItem] = {}
    for item in items:
        groups.setdefault(item.key, set()).update(item.groups)
        first.setdefault(item.key, item)
    keys = column_keys(items)
    return pd.DataFrame(
        {
            "item_id": keys,
            "dimension": [first[k].dimension for k in keys],
            "scale": [f"points{first[k].points}" for k in keys],
            "groups": [",".join(sorted(groups[k])) for k in keys],
        }
    )
