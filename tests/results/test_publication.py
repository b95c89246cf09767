"""Publication, the agency's own view, objections within the window and their decisions, and
finalisation only after the window closes with every objection decided."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from survey.auditing import AuditEntry
from survey.clock import beijing_today
from survey.results.models import Objection, ObjectionDecision, Outcome, RunPublication
from survey.scores.models import RunFinalisation
from survey.years.config import with_defaults
from tests.fixtures.client import form_errors
from tests.results.conftest import set_window


def publish(client, run):
    return client.post(f"/admin/results/runs/{run.id}/publish", data={"confirm": "y"})


def test_publishing_needs_a_window_and_confirmation_and_is_audited(world, login, db_session, run):
    client = login(world.supervisor)
    refused = publish(client, run).get_data(as_text=True)
    assert "复核申请受理截止日期" in "".join(form_errors(refused))
    set_window(db_session, world.year, beijing_today() + dt.timedelta(days=7))
    unticked = client.post(f"/admin/results/runs/{run.id}/publish", data={})
    assert unticked.status_code == 200 and db_session.scalar(select(RunPublication)) is None
    assert publish(client, run).status_code == 302
    assert db_session.scalar(select(RunPublication)).run_id == run.id
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "results.publish"))
    assert entry is not None
    log = client.get("/admin/audit/").get_data(as_text=True)
    assert "评分结果已向各单位发布" in log
    again = publish(client, run).get_data(as_text=True)
    assert "已于" in again and "发布" in again
    assert db_session.query(RunPublication).count() == 1


def test_agency_sees_only_its_own_published_result(world, login, db_session, run, window):
    editor = login(world.editor_a)
    assert "尚未发布" in editor.get("/agency/results/").get_data(as_text=True)
    assert editor.get(f"/agency/results/runs/{run.id}").status_code == 404  # not published
    publish(login(world.supervisor), run)
    editor = login(world.editor_a)
    page = editor.get("/agency/results/", follow_redirects=True).get_data(as_text=True)
    assert world.agency_a.name in page or "本单位结果" in page
    assert world.agency_b.name not in page  # no other agency is named anywhere
    own = next(r for r in run.agency_results if r.agency_id == world.agency_a.id)
    assert f"{own.composite:.1f}" in page
    # Each source shown says where its score used comes from, as the supervisor's page does.
    stored = next(a for a in run.result_data()["agencies"] if a["agency_id"] == world.agency_a.id)
    minimum = int(with_defaults(world.year.config)["min_cell_size"])  # smaller ones are hidden
    shown = [
        g
        for d in stored["engine"]["dimensions"]
        for g in d.get("groups", [])
        if g.get("present") and g.get("n", 0) >= minimum
    ]
    assert shown and all(f"本来源 {g['from_own']:+.1f}" in page for g in shown)
    # the distribution shows counts only
    assert re.search(r"<svg.*?</svg>", page, re.S)
    sheet = editor.get(f"/agency/results/runs/{run.id}/sheet.csv").data.decode("utf-8-sig")
    assert run.result_checksum in sheet and world.agency_b.name not in sheet
    # an agency outside the run (another jurisdiction) gets 404 for it
    other = login(world.editor_c)
    assert other.get(f"/agency/results/runs/{run.id}").status_code == 404
    assert other.get(f"/agency/results/runs/{run.id}/sheet.csv").status_code == 404


def test_leader_objects_the_supervisor_decides_the_agency_reads_it(
    world, login, db_session, run, window
):
    publish(login(world.supervisor), run)
    editor = login(world.editor_a)
    refused = editor.post(
        f"/agency/results/runs/{run.id}", data={"subject": "timeliness", "reason": "理由"}
    )
    assert refused.status_code == 302 and db_session.scalar(select(Objection)) is None
    leader = login(world.leader_a)
    blank = leader.post(f"/agency/results/runs/{run.id}", data={"subject": "timeliness"})
    assert "请填写申请复核的理由。" in form_errors(blank.get_data(as_text=True))
    filed = leader.post(
        f"/agency/results/runs/{run.id}",
        data={"subject": "timeliness", "reason": "第二项目标已按期完成，附验收单。"},
    )
    assert filed.status_code == 302
    objection = db_session.scalar(select(Objection))
    assert objection.agency_id == world.agency_a.id and objection.filed_by_id == world.leader_a.id

    office = login(world.supervisor)
    listed = office.get(f"/admin/results/years/{world.year.id}/objections").get_data(True)
    assert world.agency_a.name in listed and "待决定" in listed
    url = f"/admin/results/objections/{objection.id}"
    no_correction = office.post(url, data={"outcome": "accepted", "reason": "属实"})
    assert "请写明所作更正" in "".join(form_errors(no_correction.get_data(as_text=True)))
    assert (
        office.post(url, data={"outcome": "rejected", "reason": "验收单日期晚于时限。"}).status_code
        == 302
    )
    decision = db_session.scalar(select(ObjectionDecision))
    assert decision.outcome is Outcome.rejected
    twice = office.post(url, data={"outcome": "accepted", "reason": "x", "correction": "y"})
    assert "已作出决定" in twice.get_data(as_text=True)
    actions = set(db_session.scalars(select(AuditEntry.action)))
    assert {"results.object", "results.decide"} <= actions

    page = login(world.leader_a).get(f"/agency/results/runs/{run.id}").get_data(as_text=True)
    assert "验收单日期晚于时限。" in page and "不予采纳" in page


def test_objections_after_the_window_are_refused(world, login, db_session, run, window):
    publish(login(world.supervisor), run)
    set_window(db_session, world.year, beijing_today() - dt.timedelta(days=1))
    leader = login(world.leader_a)
    response = leader.post(
        f"/agency/results/runs/{run.id}",
        data={"subject": "composite", "reason": "迟到的申请"},
        follow_redirects=True,
    )
    assert "复核申请受理期已结束。" in response.get_data(as_text=True)
    assert db_session.scalar(select(Objection)) is None


def test_finalising_waits_for_the_window_and_every_decision(world, login, db_session, run, window):
    office = login(world.supervisor)
    publish(office, run)
    leader = login(world.leader_a)
    leader.post(f"/agency/results/runs/{run.id}", data={"subject": "composite", "reason": "偏低"})
    office = login(world.supervisor)
    early = office.post(f"/admin/scores/runs/{run.id}/finalise", data={"confirm": "y"})
    assert "之后确定最终结果" in "".join(form_errors(early.get_data(as_text=True)))
    set_window(db_session, world.year, beijing_today() - dt.timedelta(days=1))
    waiting = office.post(f"/admin/scores/runs/{run.id}/finalise", data={"confirm": "y"})
    assert "未作出决定" in "".join(form_errors(waiting.get_data(as_text=True)))
    objection = db_session.scalar(select(Objection))
    office.post(
        f"/admin/results/objections/{objection.id}",
        data={"outcome": "rejected", "reason": "依据充分"},
    )
    done = office.post(f"/admin/scores/runs/{run.id}/finalise", data={"confirm": "y"})
    assert done.status_code == 302
    assert db_session.scalar(select(RunFinalisation)).run_id == run.id
