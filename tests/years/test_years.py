"""Assessment years: create, configure through the form, open, close, read-only when closed."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from survey.audit.models import AuditEntry
from survey.years.config import DEFAULT_CONFIG, validate, window_dates
from survey.years.forms import STANDARD_GROUPS
from survey.years.models import AssessmentYear, YearState
from tests.fixtures.client import form_errors
from tests.scores.conftest import mark_final


def config_form(config: dict) -> dict:
    """The year form's fields for ``config``, as the browser posts them."""
    data = {}
    for name, value in config["dimension_weights"].items():
        data[f"dimension_weights-{name}"] = value
    for dimension, weights in config["group_weights"].items():
        for name, value in weights.items():
            data[f"group_weights_{dimension}-{name}"] = value
    for name, value in config["bands"].items():
        data[f"bands-{name}"] = value
    for name, value in config["min_group_n"].items():
        data[f"min_group_n-{name}"] = value
    for name in (
        "min_cell_size",
        "min_targets",
        "min_targets_per_business_section",
        "self_score_max",
        "due_soon_days",
    ):
        data[name] = config[name]
    for kind, window in config["summary_windows"].items():
        for name, value in window.items():
            data[f"{kind}_window-{name}"] = value
    standards = config["standards"]
    for group in ("category_weights", "finding_deductions"):
        for name, value in standards[group].items():
            data[f"{group}-{name}"] = value
    for group, names in STANDARD_GROUPS.items():
        for name in names:
            data[f"{group}-{name}"] = standards[name]
    return data


def changed(**changes) -> dict:
    config = copy.deepcopy(DEFAULT_CONFIG)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = config
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    return config


def fresh(db_session, year: AssessmentYear) -> AssessmentYear:
    db_session.refresh(year)
    return year


def year_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(AssessmentYear))


def open_year(client, year):
    return client.post(f"/admin/years/{year.id}/open", follow_redirects=True)


def close_year(client, year):
    return client.post(
        f"/admin/years/{year.id}/close", data={"confirmed": "1"}, follow_redirects=True
    )


def has_error_flash(response) -> bool:
    return 'class="flash error"' in response.get_data(as_text=True)


# --- list and create -----------------------------------------------------------------------


def test_list(world, login):
    html = login(world.supervisor).get("/admin/years/").get_data(as_text=True)
    assert f"/admin/years/{world.year.id}" in html and "2026" in html


def test_create(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(
        "/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2027}
    )
    assert response.status_code == 302
    year = db_session.scalar(select(AssessmentYear).where(AssessmentYear.year == 2027))
    assert response.headers["Location"].endswith(f"/admin/years/{year.id}")
    assert (year.jurisdiction_id, year.state, year.config) == (
        world.city.id,
        YearState.draft,
        DEFAULT_CONFIG,
    )
    entry = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "year.create", AuditEntry.entity_id == year.id
        )
    )
    assert entry.actor_id == world.supervisor.id and entry.after["year"] == 2027


def test_duplicate_year_is_a_field_error(world, login, db_session):
    response = login(world.supervisor).post(
        "/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2026}
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    assert year_count(db_session) == 1


def test_same_year_in_another_jurisdiction_is_allowed(world, login, db_session):
    response = login(world.supervisor).post(
        "/admin/years/new", data={"jurisdiction_id": world.district.id, "year": 2026}
    )
    assert response.status_code == 302
    assert year_count(db_session) == 2


@pytest.mark.parametrize("value", ["1999", "2101", "", "二〇二六"])
def test_year_out_of_range_is_a_field_error(world, login, db_session, value):
    response = login(world.supervisor).post(
        "/admin/years/new", data={"jurisdiction_id": world.city.id, "year": value}
    )
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert year_count(db_session) == 1


def test_district_office_cannot_create_a_city_year(world, login, db_session):
    client = login(world.district_supervisor)
    response = client.post(
        "/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2030}
    )
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert year_count(db_session) == 1


# --- configuration -------------------------------------------------------------------------


def test_config_page_shows_the_current_values(world, login):
    html = login(world.supervisor).get(f"/admin/years/{world.year.id}").get_data(as_text=True)
    assert re.search(r'name="dimension_weights-effectiveness"[^>]*value="0.35', html)
    assert re.search(r'name="bands-excellent"[^>]*value="90', html)
    assert re.search(r'name="min_group_n-public"[^>]*value="30"', html)


def test_save_a_valid_configuration(world, login, db_session):
    config = changed(
        dimension_weights={name: 0.25 for name in DEFAULT_CONFIG["dimension_weights"]},
        bands={"excellent": 85.0, "good": 75.0, "fair": 60.0},
        min_targets=3,
        min_group_n__public=20,
    )
    client = login(world.supervisor)
    response = client.post(f"/admin/years/{world.year.id}", data=config_form(config))
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    assert fresh(db_session, world.year).config == config

    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "year.configure"))
    assert entry.actor_id == world.supervisor.id
    assert entry.before["config"] == DEFAULT_CONFIG and entry.after["config"] == config


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (changed(dimension_weights__timeliness=0.3), "dimension_weights"),
        (changed(group_weights__effectiveness__peer=0.2), "group_weights_effectiveness"),
        (changed(group_weights__cooperation__public=0.1), "group_weights_cooperation"),
    ],
    ids=["dimensions", "effectiveness-groups", "cooperation-groups"],
)
def test_weights_must_add_up_to_one(world, login, db_session, config, field):
    response = login(world.supervisor).post(
        f"/admin/years/{world.year.id}", data=config_form(config)
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = form_errors(html)
    assert len(errors) == 1
    # The message sits in the fieldset of the weights that are wrong.
    fieldset = re.search(rf"<fieldset[^>]*>(?:(?!</fieldset>).)*name=\"{field}-", html, re.S)
    assert fieldset and 'class="errors"' in fieldset.group(0)
    assert fresh(db_session, world.year).config == DEFAULT_CONFIG


@pytest.mark.parametrize(
    "bands",
    [
        {"excellent": 80, "good": 90, "fair": 70},
        {"excellent": 90, "good": 80, "fair": 80},
    ],
)
def test_bands_must_fall(world, login, db_session, bands):
    response = login(world.supervisor).post(
        f"/admin/years/{world.year.id}", data=config_form(changed(bands=bands))
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    assert fresh(db_session, world.year).config == DEFAULT_CONFIG


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"opens": "07-15", "closes": "06-15"}, "结束日期不能早于开始日期"),
        ({"opens": "02-30", "closes": "03-01"}, "MM-DD"),
        ({"opens": "7-1", "closes": "07-31"}, "MM-DD"),
    ],
)
def test_summary_windows_must_be_real_days_in_order(world, login, db_session, window, message):
    response = login(world.supervisor).post(
        f"/admin/years/{world.year.id}",
        data=config_form(changed(summary_windows__half_year=window)),
    )
    assert response.status_code == 200
    errors = form_errors(response.get_data(as_text=True))
    assert len(errors) == 1 and message in errors[0]
    assert fresh(db_session, world.year).config == DEFAULT_CONFIG


def test_a_year_saved_before_a_setting_existed_reads_its_default(app, world, db_session):
    old = copy.deepcopy(DEFAULT_CONFIG)
    del old["summary_windows"], old["due_soon_days"]
    assert validate(old) == DEFAULT_CONFIG
    assert window_dates(old, "year_end", 2026) == (dt.date(2026, 11, 15), dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("dimension_weights-timeliness", "1.5"),
        ("dimension_weights-timeliness", "-0.1"),
        ("dimension_weights-timeliness", "abc"),
        ("bands-excellent", "101"),
        ("min_group_n-public", "0"),
        ("min_cell_size", "2.5"),
        ("min_targets", ""),
    ],
)
def test_out_of_range_numbers_are_field_errors(world, login, db_session, name, value):
    data = config_form(DEFAULT_CONFIG) | {name: value}
    response = login(world.supervisor).post(f"/admin/years/{world.year.id}", data=data)
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert fresh(db_session, world.year).config == DEFAULT_CONFIG


# --- lifecycle -----------------------------------------------------------------------------


def test_open_and_close(world, login, db_session):
    client = login(world.supervisor)
    response = open_year(client, world.year)
    assert response.status_code == 200 and not has_error_flash(response)
    year = fresh(db_session, world.year)
    assert year.state is YearState.open and year.opened_at is not None and year.closed_at is None
    assert "/close" in response.get_data(as_text=True)

    response = close_year(client, world.year)  # no final scoring run yet
    assert has_error_flash(response) and "最终" in response.get_data(as_text=True)
    assert fresh(db_session, world.year).state is YearState.open
    mark_final(db_session, world)
    response = close_year(client, world.year)
    assert not has_error_flash(response)
    year = fresh(db_session, world.year)
    assert year.state is YearState.closed and year.closed_at >= year.opened_at

    actions = db_session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "assessment_years", AuditEntry.entity_id == year.id)
        .where(AuditEntry.actor_id == world.supervisor.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["year.open", "year.close"]


def test_only_one_open_year_per_jurisdiction(world, login, db_session):
    client = login(world.supervisor)
    client.post("/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2027})
    client.post("/admin/years/new", data={"jurisdiction_id": world.district.id, "year": 2027})
    city_2027, district_2027 = db_session.scalars(
        select(AssessmentYear).where(AssessmentYear.year == 2027).order_by(AssessmentYear.id)
    ).all()
    open_year(client, world.year)

    response = open_year(client, city_2027)
    assert has_error_flash(response) and "2026" in response.get_data(as_text=True)
    assert fresh(db_session, city_2027).state is YearState.draft

    response = open_year(client, district_2027)  # another jurisdiction: its own open year
    assert not has_error_flash(response)
    assert fresh(db_session, district_2027).state is YearState.open

    mark_final(db_session, world)
    close_year(client, world.year)
    assert not has_error_flash(open_year(client, city_2027))
    assert fresh(db_session, city_2027).state is YearState.open


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "close"),  # a draft cannot be closed
        (["open"], "open"),  # an open year cannot be opened again
        (["open", "close"], "open"),  # a closed year never reopens
        (["open", "close"], "close"),
    ],
)
def test_illegal_transitions_are_refused_with_a_message(world, login, db_session, steps, refused):
    client = login(world.supervisor)
    for step in steps:
        if step == "close":
            mark_final(db_session, world)
        client.post(f"/admin/years/{world.year.id}/{step}", data={"confirmed": "1"})
    state = fresh(db_session, world.year).state
    response = client.post(
        f"/admin/years/{world.year.id}/{refused}", data={"confirmed": "1"}, follow_redirects=True
    )
    assert response.status_code == 200 and has_error_flash(response)
    assert fresh(db_session, world.year).state is state


def test_an_open_year_can_still_be_configured(world, login, db_session):
    client = login(world.supervisor)
    open_year(client, world.year)
    config = changed(min_targets=7)
    response = client.post(f"/admin/years/{world.year.id}", data=config_form(config))
    assert response.status_code == 302
    assert fresh(db_session, world.year).config["min_targets"] == 7


def test_a_closed_year_is_read_only(world, login, db_session):
    client = login(world.supervisor)
    open_year(client, world.year)
    mark_final(db_session, world)
    close_year(client, world.year)

    page = client.get(f"/admin/years/{world.year.id}").get_data(as_text=True)
    assert "<fieldset disabled>" in page and 'type="submit">' not in page.split("<form")[-1]

    response = client.post(
        f"/admin/years/{world.year.id}", data=config_form(changed(min_targets=9))
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    assert fresh(db_session, world.year).config == DEFAULT_CONFIG
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "year.configure")
        )
        == 0
    )


# --- roles and scope -----------------------------------------------------------------------


def test_viewer_reads_but_cannot_change_years(world, login, db_session):
    client = login(world.viewer)
    assert client.get("/admin/years/").status_code == 200
    page = client.get(f"/admin/years/{world.year.id}")
    assert page.status_code == 200 and "<fieldset disabled>" in page.get_data(as_text=True)
    data = config_form(changed(min_targets=9))
    assert client.post(f"/admin/years/{world.year.id}", data=data).status_code == 403
    assert client.post(f"/admin/years/{world.year.id}/open").status_code == 403
    assert (
        client.post(
            "/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2030}
        ).status_code
        == 403
    )
    year = fresh(db_session, world.year)
    assert year.config == DEFAULT_CONFIG and year.state is YearState.draft
    assert year_count(db_session) == 1


def test_district_office_cannot_reach_city_years(world, login, db_session):
    client = login(world.district_supervisor)
    assert f"/admin/years/{world.year.id}" not in client.get("/admin/years/").get_data(as_text=True)
    assert client.get(f"/admin/years/{world.year.id}").status_code == 404
    data = config_form(changed(min_targets=9))
    assert client.post(f"/admin/years/{world.year.id}", data=data).status_code == 404
    assert client.post(f"/admin/years/{world.year.id}/open").status_code == 404
    year = fresh(db_session, world.year)
    assert year.config == DEFAULT_CONFIG and year.state is YearState.draft


def test_closing_a_year_asks_first_saying_what_will_happen(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/years/{world.year.id}/open")
    mark_final(db_session, world)
    asked = client.post(f"/admin/years/{world.year.id}/close")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "确定关闭 2026 年度吗" in html
    assert 'name="confirmed" value="1"' in html and "不再重新开启" in html
    assert f'href="/admin/years/{world.year.id}"' in html  # the way back
    assert fresh(db_session, world.year).state is YearState.open  # nothing happened yet
    client.post(f"/admin/years/{world.year.id}/close", data={"confirmed": "1"})
    assert fresh(db_session, world.year).state is YearState.closed
