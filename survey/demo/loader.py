"""Deterministic demo data: Zaozhuang, its districts, ~50 city agencies, users, an open year.

The agency list is ``zaozhuang-city-agencies.csv`` beside this module (realistic, not official).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.accounts.models import Role, User
from survey.accounts.services import create_user
from survey.agencies import services as agencies
from survey.agencies.models import Agency, AgencyKind, Jurisdiction
from survey.demo import evaluation, scores, targets
from survey.demo import followup as demo_followup
from survey.years import services as years

logger = logging.getLogger(__name__)

CITY = "枣庄市"
DISTRICTS = ("市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市")
DEMO_YEAR = 2026
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 — printed by `make demo`, documented in README

# A few agencies of 市中区 so that a district office has something of its own to supervise.
DISTRICT_AGENCIES = [
    ("市中区发展和改革局", "区发改局", AgencyKind.government, "办公室;*规划科;*项目科"),
    ("市中区教育和体育局", "区教体局", AgencyKind.government, "办公室;*基础教育科;*体育科"),
    ("市中区民政局", "区民政局", AgencyKind.government, "办公室;*社会救助科;*养老服务科"),
    (
        "市中区市场监督管理局",
        "区市场监管局",
        AgencyKind.government,
        "办公室;*登记注册科;*食品安全科",
    ),
    ("中共市中区委组织部", "区委组织部", AgencyKind.party, "办公室;*组织科;*干部科"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    scope: str


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("bianban", Role.supervisor, CITY),
        DemoLogin("szq-bianban", Role.supervisor, "市中区"),
        DemoLogin("viewer", Role.viewer, CITY),
        DemoLogin("fgw-editor", Role.agency_editor, "枣庄市发展和改革委员会"),
        DemoLogin("fgw-leader", Role.agency_leader, "枣庄市发展和改革委员会"),
        DemoLogin("jyj-editor", Role.agency_editor, "枣庄市教育局"),
    ]


DISPLAY_NAMES = {
    "bianban": "市委编办 王科长",
    "szq-bianban": "市中区委编办 李科长",
    "viewer": "市纪委监委 联络员",
    "fgw-editor": "市发改委 张填报员",
    "fgw-leader": "市发改委 赵主任",
    "jyj-editor": "市教育局 刘填报员",
}


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Jurisdiction))


def _rows():
    text = resources.files("survey.demo").joinpath("zaozhuang-city-agencies.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _add_agency(session, jurisdiction, name, short_name, kind, sections_text) -> Agency:
    agency = agencies.create_agency(
        session, None, jurisdiction_id=jurisdiction.id, name=name, short_name=short_name, kind=kind
    )
    for part in sections_text.split(";"):
        part = part.strip()
        if part:
            agencies.create_section(
                session, None, agency, name=part.lstrip("*"), is_business=part.startswith("*")
            )
    return agency


def load(session: Session) -> list[DemoLogin]:
    """Create the demo records in ``session`` (flushed, not committed)."""
    city = agencies.create_jurisdiction(session, None, name=CITY, parent_id=None)
    districts = {
        name: agencies.create_jurisdiction(session, None, name=name, parent_id=city.id)
        for name in DISTRICTS
    }
    by_name = {}
    for row in _rows():
        kind = AgencyKind.from_label(row["kind"])
        if kind is None:
            raise ValueError(f"unknown kind {row['kind']!r} in the demo agency list")
        by_name[row["name"]] = _add_agency(
            session, city, row["name"], row["short_name"], kind, row["sections"]
        )
    for name, short_name, kind, sections in DISTRICT_AGENCIES:
        by_name[name] = _add_agency(session, districts["市中区"], name, short_name, kind, sections)
    places = {CITY: city, **districts}
    for login in demo_logins():
        scope = (
            {"agency_id": by_name[login.scope].id}
            if login.role.is_agency_role
            else {"jurisdiction_id": places[login.scope].id}
        )
        create_user(
            session,
            None,
            username=login.username,
            display_name=DISPLAY_NAMES[login.username],
            role=login.role,
            password=DEMO_PASSWORD,
            must_change_password=False,
            **scope,
        )
    year = years.create_year(session, None, jurisdiction_id=city.id, year=DEMO_YEAR)
    years.open_year(session, None, year)
    supervisor = session.scalar(select(User).where(User.username == "bianban"))
    evaluation.load(session, year, supervisor)
    targets.load(session, year, supervisor)
    scores.complete_year(session, year, supervisor)
    demo_followup.load(session, year, supervisor)
    logger.info("demo data loaded: %d agencies", len(by_name))
    return demo_logins()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User))
