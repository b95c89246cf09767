"""Flag review: supervisors page through flagged responses and include or exclude each with a
written reason; every decision is a new row plus an audit entry, the latest one counts."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.audit.models import AuditEntry
from survey.responses.admin.results import campaign_results
from survey.responses.models import FlagReason, FlagReview, Response
from tests.responses.admin.conftest import add_response, make_campaign


def review(client, campaign, response_id, decision, reason):
    return client.post(
        f"/admin/results/{campaign.id}/flags/review",
        data={"response_id": str(response_id), "decision": decision, "reason": reason},
    )


def reviews_of(db_session, response_id):
    db_session.expire_all()
    return db_session.scalars(
        select(FlagReview).where(FlagReview.response_id == response_id).order_by(FlagReview.id)
    ).all()


def test_flagged_list_shows_answers_and_reasons_a_page_at_a_time(
    db_session, world, campaign, login
):
    for i in range(23):
        reason = FlagReason.too_fast if i % 2 else FlagReason.honeypot
        add_response(
            db_session,
            campaign,
            world.agency_a,
            {"E1": "3", "C1": None, "topics": "speed,attitude", "comment": f"意见{i}"},
            flags=[reason],
        )
    add_response(db_session, campaign, world.agency_a, {"E1": "5", "comment": "未标记"})
    db_session.commit()
    client = login(world.supervisor)
    first = client.get(f"/admin/results/{campaign.id}/flags").get_data(as_text=True)
    assert first.count("data-response=") == 20
    assert "意见0" in first and "未标记" not in first
    assert "办事效率；服务态度" in first and "不了解" in first  # labels, not stored codes
    assert 'data-flag="honeypot"' in first and 'data-flag="too_fast"' in first
    second = client.get(f"/admin/results/{campaign.id}/flags?page=2").get_data(as_text=True)
    assert second.count("data-response=") == 3
    only_fast = client.get(f"/admin/results/{campaign.id}/flags?reason=too_fast")
    html = only_fast.get_data(as_text=True)
    assert html.count("data-response=") == 11 and 'data-flag="honeypot"' not in html
    assert client.get(f"/admin/results/{campaign.id}/flags?reason=nonsense").status_code == 200


def test_include_then_exclude_keeps_both_decisions_and_audits_them(
    db_session, world, campaign, login
):
    flagged = add_response(
        db_session, campaign, world.agency_a, {"E1": "2"}, flags=[FlagReason.too_fast]
    )
    db_session.commit()
    assert campaign_results(db_session, campaign).excluded == 1
    client = login(world.supervisor)

    response = review(client, campaign, flagged.id, "include", "电话回访确认为本人填写")
    assert response.status_code == 302
    # back to the decided response, not the top of the list
    assert response.headers["Location"].endswith(f"#response-{flagged.id}")
    assert campaign_results(db_session, campaign).excluded == 0
    response = review(client, campaign, flagged.id, "exclude", "同一时段大量相同答卷")
    assert response.status_code == 302

    decisions = reviews_of(db_session, flagged.id)
    assert [(r.include, r.reason, r.reviewer_id) for r in decisions] == [
        (True, "电话回访确认为本人填写", world.supervisor.id),
        (False, "同一时段大量相同答卷", world.supervisor.id),
    ]
    assert db_session.get(Response, flagged.id).is_excluded
    assert campaign_results(db_session, campaign).excluded == 1
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "response.review").order_by(AuditEntry.id)
    ).all()
    assert [(e.entity_type, e.entity_id, e.actor_id) for e in entries] == [
        ("responses", flagged.id, world.supervisor.id)
    ] * 2
    assert entries[0].before == {"excluded": True}
    assert entries[0].after["excluded"] is False
    assert entries[1].after["reason"] == "同一时段大量相同答卷"
    assert entries[0].jurisdiction_id == world.city.id
    page = client.get(f"/admin/results/{campaign.id}/flags").get_data(as_text=True)
    assert "电话回访确认为本人填写" in page and "同一时段大量相同答卷" in page


def test_a_decision_needs_a_reason(db_session, world, campaign, login):
    flagged = add_response(
        db_session, campaign, world.agency_a, {"E1": "2"}, flags=[FlagReason.honeypot]
    )
    db_session.commit()
    client = login(world.supervisor)
    for decision, reason in [("include", ""), ("include", "   "), ("", "理由"), ("maybe", "理由")]:
        response = review(client, campaign, flagged.id, decision, reason)
        assert response.status_code == 400, (decision, reason)
    html = review(client, campaign, flagged.id, "include", "").get_data(as_text=True)
    assert "请写明作出该决定的理由" in html
    assert reviews_of(db_session, flagged.id) == []
    count = db_session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "response.review")
    )
    assert count == 0


def test_only_flagged_responses_of_this_campaign_are_reviewed(db_session, world, campaign, login):
    clean = add_response(db_session, campaign, world.agency_a, {"E1": "4"})
    other = make_campaign(db_session, world)
    elsewhere = add_response(
        db_session, other, world.agency_a, {"E1": "4"}, flags=[FlagReason.too_fast]
    )
    db_session.commit()
    client = login(world.supervisor)
    response = review(client, campaign, clean.id, "exclude", "看起来可疑")
    assert response.status_code == 302
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "只有被标记的答卷才能复核" in flashed
    assert reviews_of(db_session, clean.id) == []
    assert review(client, campaign, elsewhere.id, "exclude", "理由").status_code == 404
    assert review(client, campaign, "abc", "exclude", "理由").status_code == 400
    assert reviews_of(db_session, elsewhere.id) == []


def test_viewer_cannot_review(db_session, world, campaign, login):
    flagged = add_response(
        db_session, campaign, world.agency_a, {"E1": "2"}, flags=[FlagReason.too_fast]
    )
    db_session.commit()
    client = login(world.viewer)
    assert review(client, campaign, flagged.id, "include", "理由").status_code == 403
    assert reviews_of(db_session, flagged.id) == []
