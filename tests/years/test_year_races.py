"""Two supervisors acting at once: the service's check passes for both, the database stops
the second, and that user gets the same message the check would have given."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.years import services
from survey.years.models import AssessmentYear, YearState
from tests.fixtures.client import form_errors


def test_create_the_same_year_twice(world, login, db_session, monkeypatch):
    monkeypatch.setattr(services, "_year_taken", lambda *args: False)
    response = login(world.supervisor).post(
        "/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2026}
    )
    assert response.status_code == 200
    (message,) = form_errors(response.get_data(as_text=True))
    assert "2026" in message
    assert db_session.scalar(select(func.count()).select_from(AssessmentYear)) == 1


def test_open_two_years_at_once(world, login, db_session, monkeypatch):
    client = login(world.supervisor)
    client.post("/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2027})
    other = db_session.scalar(select(AssessmentYear).where(AssessmentYear.year == 2027))
    client.post(f"/admin/years/{world.year.id}/open")

    real = services._other_open_year
    calls = []

    def sees_nothing_the_first_time(session, year):
        calls.append(year.id)
        return None if len(calls) == 1 else real(session, year)

    monkeypatch.setattr(services, "_other_open_year", sees_nothing_the_first_time)
    response = client.post(f"/admin/years/{other.id}/open", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="flash error"' in html and "2026" in html
    assert len(calls) == 2
    db_session.refresh(other)
    assert other.state is YearState.draft and other.opened_at is None
