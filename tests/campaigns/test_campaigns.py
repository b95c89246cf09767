"""Supervisors create, open and close surveys and distribute them: QR codes and posters for
open links, single-use tokens as QR slips or a CSV of links."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
import segno
from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.campaigns import links, printing
from survey.campaigns.links import hash_token
from survey.campaigns.models import AccessMode, Campaign, CampaignState, Token
from tests.responses.public.conftest import make_campaign, make_version


def form_data(version, agencies, **changes) -> dict:
    data = {
        "title": "2026年度群众满意度调查",
        "version_id": version.id,
        "agency_ids": [agency.id for agency in agencies],
        "opens_at": "2026-12-01T08:00",  # Beijing time, as the form's field sends it
        "closes_at": "2026-12-31T08:00",
        "access_mode": "open_link",
        "min_seconds": "30",
        "device_limit": "1",
        "address_limit": "300",
    }
    data.update(changes)
    return data


def campaigns(db_session):
    return db_session.scalars(select(Campaign).order_by(Campaign.id)).all()


def test_a_supervisor_creates_a_draft_survey(world, login, db_session):
    version = make_version(db_session, "public")
    client = login(world.supervisor)
    page = client.get(f"/admin/campaigns/new?year_id={world.year.id}").get_data(as_text=True)
    assert world.agency_a.name in page and world.agency_c.name not in page  # a district agency
    data = form_data(version, [world.agency_a, world.agency_b])
    created = client.post(f"/admin/campaigns/new?year_id={world.year.id}", data=data)
    assert created.status_code == 302
    (campaign,) = campaigns(db_session)
    assert campaign.state is CampaignState.draft
    assert campaign.respondent_group == "public"
    assert campaign.opens_at == dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 Beijing
    assert [link.agency_id for link in campaign.campaign_agencies] == [
        world.agency_a.id,
        world.agency_b.id,
    ]
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert "campaign.create" in actions


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": "2026-11-30T08:00"}, "结束时间必须晚于开始时间"),
        ({"agency_ids": []}, "请至少选择一个被评价单位"),
        ({"min_seconds": "-1"}, "0"),
    ],
)
def test_bad_settings_are_refused_in_chinese(world, login, db_session, changes, message):
    version = make_version(db_session, "public")
    client = login(world.supervisor)
    data = form_data(version, [world.agency_a], **changes)
    page = client.post(f"/admin/campaigns/new?year_id={world.year.id}", data=data)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert campaigns(db_session) == []


def test_peer_review_needs_tokens(world, login, db_session):
    version = make_version(db_session, "peer")
    client = login(world.supervisor)
    data = form_data(version, [world.agency_a, world.agency_b])
    page = client.post(f"/admin/campaigns/new?year_id={world.year.id}", data=data)
    assert "部门互评须使用一次性评价码" in page.get_data(as_text=True)
    data["access_mode"] = "tokens"
    assert (
        client.post(f"/admin/campaigns/new?year_id={world.year.id}", data=data).status_code == 302
    )


def test_district_offices_never_see_city_surveys(world, login, db_session):
    campaign = make_campaign(db_session, world, state=CampaignState.draft)
    client = login(world.district_supervisor)
    assert client.get(f"/admin/campaigns/{campaign.id}").status_code == 404
    assert client.get(f"/admin/campaigns/new?year_id={world.year.id}").status_code == 404
    assert campaign.title not in client.get("/admin/campaigns/").get_data(as_text=True)


def test_the_list_filters_by_year_state_and_group(world, login, db_session):
    make_campaign(db_session, world, title="公开调查", state=CampaignState.open)
    make_campaign(db_session, world, title="代表调查", group="deputy", tokens=True)
    make_campaign(db_session, world, title="草稿调查", state=CampaignState.draft)
    db_session.commit()
    client = login(world.viewer)

    def titles(query: str) -> list[str]:
        html = client.get(f"/admin/campaigns/?{query}").get_data(as_text=True)
        return re.findall(r'href="/admin/campaigns/\d+">([^<]*)</a>', html)

    assert sorted(titles("")) == ["代表调查", "公开调查", "草稿调查"]
    assert sorted(titles("state=open")) == ["代表调查", "公开调查"]
    assert titles("group=deputy") == ["代表调查"]
    assert titles("state=draft&group=public") == ["草稿调查"]
    assert sorted(titles(f"year_id={world.year.id}")) == ["代表调查", "公开调查", "草稿调查"]
    # Values naming nothing the user sees are ignored rather than failing.
    assert len(titles("year_id=999999&state=nope&group=%00")) == 3
    html = client.get("/admin/campaigns/?state=closed").get_data(as_text=True)
    assert "没有符合条件的调查" in html


def test_open_then_close_and_no_edits_once_open(world, login, db_session):
    campaign = make_campaign(db_session, world, state=CampaignState.draft)
    client = login(world.supervisor)
    client.post(f"/admin/campaigns/{campaign.id}/open")
    db_session.refresh(campaign)
    assert campaign.state is CampaignState.open
    edit = client.get(f"/admin/campaigns/{campaign.id}/edit", follow_redirects=True)
    assert "只有草稿状态的调查可以编辑" in edit.get_data(as_text=True)
    again = client.post(f"/admin/campaigns/{campaign.id}/open", follow_redirects=True)
    assert "Only a draft campaign" not in again.get_data(as_text=True)
    client.post(f"/admin/campaigns/{campaign.id}/close", data={"confirmed": "1"})
    db_session.refresh(campaign)
    assert campaign.state is CampaignState.closed
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert {"campaign.open", "campaign.close"} <= set(actions)


def test_a_draft_survey_can_be_edited(world, login, db_session):
    campaign = make_campaign(db_session, world, state=CampaignState.draft)
    client = login(world.supervisor)
    version = campaign.questionnaire_version
    data = form_data(version, [world.agency_b], title="改名后的调查")
    assert client.post(f"/admin/campaigns/{campaign.id}/edit", data=data).status_code == 302
    db_session.refresh(campaign)
    assert campaign.title == "改名后的调查"
    assert [link.agency_id for link in campaign.campaign_agencies] == [world.agency_b.id]


def test_qr_codes_point_at_the_configured_address_not_the_host_header(
    app, world, login, db_session
):
    campaign = make_campaign(db_session, world)
    link = campaign.campaign_agencies[0]
    client = login(world.supervisor)
    expected = f"HTTPS://PJ.EXAMPLE.GOV.CN/A/{link.code}"
    forged = {"X-Forwarded-Host": "evil.example.com", "X-Forwarded-Proto": "http"}
    with app.test_request_context(base_url="http://evil.example.com/"):
        assert links.agency_url(link) == expected
    svg = client.get(
        f"/admin/campaigns/{campaign.id}/qr?agency={link.agency_id}&format=svg", headers=forged
    )
    assert svg.mimetype == "image/svg+xml"
    out = io.BytesIO()
    segno.make(expected, error="m").save(out, kind="svg", scale=8)
    assert svg.data == out.getvalue()
    png = client.get(f"/admin/campaigns/{campaign.id}/qr", headers=forged)
    assert png.data.startswith(b"\x89PNG")
    page = client.get(f"/admin/campaigns/{campaign.id}", headers=forged)
    assert "evil.example.com" not in page.get_data(as_text=True)
    # shown in lower case, to be typed, and a link; the lower-case path leads to the page
    typed = f"https://pj.example.gov.cn/a/{link.code.lower()}"
    assert f'<a href="{typed}"><code>{typed}</code></a>' in page.get_data(as_text=True)
    moved = client.get(f"/a/{link.code.lower()}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/A/{link.code}")
    assert (
        client.get(f"/s/{campaign.code.lower()}")
        .headers["Location"]
        .endswith(f"/S/{campaign.code}")
    )


def test_posters_are_one_a4_page_per_agency(world, login, db_session):
    campaign = make_campaign(db_session, world)
    client = login(world.supervisor)
    pdf = client.get(f"/admin/campaigns/{campaign.id}/posters.pdf")
    assert pdf.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.data)) == 2


def issue(client, campaign, **data):
    return client.post(f"/admin/campaigns/{campaign.id}/tokens", data=data)


def csv_rows(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_tokens_are_shown_once_and_only_their_hashes_kept(world, login, db_session):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    client = login(world.supervisor)
    sheet = issue(client, campaign, count="3", output="csv")
    assert "attachment" in sheet.headers["Content-Disposition"]
    header, *rows = csv_rows(sheet)
    assert header == ["序号", "评价单位", "链接"] and len(rows) == 3
    tokens = [row[2].rsplit("/", 1)[1].upper() for row in rows]
    assert all(row[2].startswith("https://pj.example.gov.cn/t/") for row in rows)  # typeable
    assert client.get(rows[0][2].removeprefix("https://pj.example.gov.cn")).status_code in (
        200, 302, 303,
    )  # fmt: skip
    stored = db_session.scalars(select(Token).where(Token.campaign_id == campaign.id)).all()
    assert {token.token_hash for token in stored} == {hash_token(token) for token in tokens}
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert not any(token in page for token in tokens)
    # the batches' table scrolls in a box of its own on a phone, reachable by keyboard
    assert '<div class="table-box" role="region" tabindex="0" aria-label="评价码"><table>' in page
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.tokens"))
    assert not any(token in repr(entry.after) for entry in audit for token in tokens)
    pdf = issue(client, campaign, count="16", output="pdf")
    assert pdf.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.data)) == 2


@pytest.mark.skipif(
    printing.FONT != printing.EMBEDDED_FONT or not shutil.which("pdftotext"),
    reason="needs fonts-wqy-microhei and poppler-utils (apt-get install; .ci/run installs both)",
)
def test_a_slip_prints_a_lower_case_link_that_opens_the_sitting(
    world, login, db_session, tmp_path, app
):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    pdf = issue(login(world.supervisor), campaign, count="1", output="pdf")
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(
        [shutil.which("pdftotext"), path, "-"], capture_output=True, text=True, check=True
    ).stdout
    # under the configured base URL, in lower case: the address, then the code on its own line
    (code,) = re.findall(r"https://pj\.example\.gov\.cn/t/\n([a-z2-7]{26})\n", text)
    typed = f"https://pj.example.gov.cn/t/{code}"
    assert hash_token(typed.rsplit("/", 1)[1].upper()) == db_session.scalar(
        select(Token.token_hash).where(Token.campaign_id == campaign.id)
    )
    respondent = app.test_client()
    scanned = respondent.get(typed.removeprefix("https://pj.example.gov.cn"))
    assert scanned.status_code == 303 and scanned.headers["Location"].endswith("/T")
    assert respondent.get("/T").headers["Location"].endswith(f"/S/{campaign.code}/sitting")


def test_peer_tokens_belong_to_an_agency_of_the_survey(world, login, db_session):
    campaign = make_campaign(
        db_session, world, group="peer", tokens=True, agencies=[world.agency_a, world.agency_b]
    )
    client = login(world.supervisor)
    rows = csv_rows(issue(client, campaign, count="2", output="csv", rater_agency_id="0"))[1:]
    assert sorted(row[1] for row in rows) == sorted(
        [world.agency_a.name] * 2 + [world.agency_b.name] * 2
    )
    outsider = issue(client, campaign, count="2", output="csv", rater_agency_id=world.agency_c.id)
    assert outsider.status_code == 302  # refused: not one of the survey's agencies
    raters = db_session.scalars(select(Token.rater_agency_id)).all()
    assert set(raters) == {world.agency_a.id, world.agency_b.id}


def test_counts_and_revoking_an_unused_batch(world, login, db_session):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    client = login(world.supervisor)
    issue(client, campaign, count="4", output="csv")
    first = db_session.scalars(select(Token).where(Token.campaign_id == campaign.id)).first()
    first.used_on = dt.date(2026, 12, 2)
    db_session.flush()
    client.post(
        f"/admin/campaigns/{campaign.id}/tokens/revoke", data={"batch": "1", "confirmed": "1"}
    )
    tokens = db_session.scalars(select(Token).where(Token.campaign_id == campaign.id)).all()
    assert sum(t.revoked_at is not None for t in tokens) == 3
    assert sum(t.used_on is not None for t in tokens) == 1  # a used token stays used
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "已作废" in page
    again = client.post(
        f"/admin/campaigns/{campaign.id}/tokens/revoke",
        data={"batch": "1", "confirmed": "1"},
        follow_redirects=True,
    )
    assert "没有可作废" in again.get_data(as_text=True)


def test_bad_token_requests_are_refused(world, login, db_session):
    open_link = make_campaign(db_session, world)
    closed = make_campaign(
        db_session, world, group="deputy", tokens=True, state=CampaignState.closed
    )
    client = login(world.supervisor)
    for campaign, count, message in (
        (open_link, "3", "该调查使用公开链接"),
        (closed, "3", "调查已结束"),
    ):
        page = issue(client, campaign, count=count, output="csv")
        assert page.status_code == 302
        assert message in client.get(page.headers["Location"]).get_data(as_text=True)
    assert db_session.scalars(select(Token)).all() == []


def test_viewers_read_but_never_issue(world, login, db_session):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    client = login(world.viewer)
    assert client.get(f"/admin/campaigns/{campaign.id}").status_code == 200
    assert issue(client, campaign, count="3", output="csv").status_code == 403
    assert campaign.access_mode is AccessMode.tokens


def test_the_tokens_command(app, world, db_session, tmp_path):
    from survey.campaigns.cli import campaign_cli

    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    runner = app.test_cli_runner()
    out, pdf = tmp_path / "links.csv", tmp_path / "slips.pdf"
    result = runner.invoke(
        campaign_cli,
        ["tokens", campaign.code, "--count", "5", "--out", str(out), "--pdf", str(pdf)],
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 6
    assert pdf.read_bytes().startswith(b"%PDF")
    open_link = make_campaign(db_session, world)
    bad = runner.invoke(campaign_cli, ["tokens", open_link.code, "--count", "5", "--out", str(out)])
    assert bad.exit_code != 0 and "公开链接" in bad.output
    missing = runner.invoke(campaign_cli, ["tokens", "NOPE", "--count", "5", "--out", str(out)])
    assert missing.exit_code != 0


def test_the_agencies_of_a_new_survey_are_ticked_all_none_or_by_kind(world, login, db_session):
    from survey.agencies.models import AgencyKind

    world.agency_b.kind = AgencyKind.party
    db_session.commit()
    client = login(world.supervisor)
    url = f"/admin/campaigns/new?year_id={world.year.id}"
    page = client.get(url).get_data(as_text=True)
    assert "党的机关" in page and 'value="add:party"' in page
    typed = {"title": "我的调查", "agency_ids": [str(world.agency_a.id)]}
    none = client.post(url, data={**typed, "_pick": "none"}).get_data(as_text=True)
    assert 'name="agency_ids" value' in none and "checked" not in none.split('id="agencies"')[1]
    assert 'value="我的调查"' in none  # what was typed stays
    party = client.post(url, data={**typed, "_pick": "add:party"}).get_data(as_text=True)
    ticked = re.findall(r'name="agency_ids" value="(\d+)" checked', party)
    assert sorted(map(int, ticked)) == sorted([world.agency_a.id, world.agency_b.id])
    assert db_session.scalars(select(Campaign)).all() == []  # nothing saved by a pick
