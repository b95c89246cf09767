"""The quality page and the comparison of two runs, from the stored runs."""

from __future__ import annotations

from survey.results.quality import condensed, reading
from survey.scores import services
from survey.years.config import with_defaults
from tests.scores.conftest import AS_OF


def test_quality_page_counts_reads_reliability_and_names_short_groups(app, world, login, run):
    client = login(world.supervisor)
    html = client.get(f"/admin/results/runs/{run.id}/quality").get_data(as_text=True)
    assert "各类评价主体的答卷" in html
    responses = run.result_data()["engine"]["tables"]["responses"]
    public = next(r for r in responses if r["group"] == "public")
    assert f'<td data-label="收到">{public["received"]}</td>' in html
    document = run.result_data()
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        readings = [reading(r) for r in document["engine"]["tables"]["reliability"]]
        minimum = with_defaults(world.year.config)["min_group_n"]
        short = condensed(document, minimum)["short"]
        stricter = condensed(document, {**minimum, "public": 40})["short"]
    assert readings and all(text in html for text in readings)  # one reading per scale
    # every (agency, group, dimension) short of the year's minimum is listed with its count
    table = html.split('id="short-heading"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == len(short) + 1 - (0 if short else 1)
    for row in short:
        assert row["agency"] in table and f'data-label="答卷数">{row["n"]}<' in table
    # with a stricter public minimum (35 responses less the flagged < 40) both are short
    assert {r["agency"] for r in stricter if r["group"] == "public"} == {
        world.agency_a.name,
        world.agency_b.name,
    }


def test_compare_two_runs_names_what_changed(world, login, db_session, run):
    services.add_item(
        db_session, world.supervisor, world.year, world.agency_a,
        points="2", reason="获评先进", basis="文件",
    )  # fmt: skip
    db_session.commit()
    later = services.compute_run(db_session, world.supervisor, world.year, AS_OF, workers=1)
    db_session.commit()
    client = login(world.supervisor)
    html = client.get(
        f"/admin/results/years/{world.year.id}/compare?a={run.number}&b={later.number}"
    ).get_data(as_text=True)
    assert f'data-moved="{world.agency_a.id}"' in html and "+2.00" in html
    same = client.get(f"/admin/results/years/{world.year.id}/compare?a=1&b=1")
    assert "两次不同的评分" in same.get_data(as_text=True)


def test_round_wise_flags_are_named_with_their_p_in_one_sentence(monkeypatch, world, login, run):
    document = run.result_data()
    names = {a["agency_id"]: a["name"] for a in document["agencies"]}
    a, b = world.agency_a.id, world.agency_b.id
    document["engine"]["tables"]["detection"] = [
        {"kind": "pair", "group": "peer", "a": a, "b": b, "statistic": 5.1, "p_round": 0.015},
        {"kind": "rival", "group": "peer", "a": b, "b": float("nan"), "statistic": -4.2,
         "p_round": 0.04},
    ]  # fmt: skip
    data = condensed(document, with_defaults(world.year.config)["min_group_n"])
    assert [f["who"] for f in data["round_flags"]] == [[names[a], names[b]], [names[b]]]
    assert data["round_tests"] == {"alpha": 0.05, "permutations": 199}
    from survey.results import views

    monkeypatch.setattr(views, "quality_of", lambda document_, minimum: data)
    client = login(world.supervisor)
    html = client.get(f"/admin/results/runs/{run.id}/quality").get_data(as_text=True)
    section = html.split('id="round-flags-heading"', 1)[1].split("</section>", 1)[0]
    assert f"{names[a]} 与 {names[b]} 相互评分明显高于本轮其他评分所能解释的水平" in section
    assert f"{names[b]} 给其他单位公认最好的单位打分明显偏低" in section
    assert "概率为 0.015" in section and "概率为 0.040" in section
    assert section.count("大约每 20 年出现一次这类标记") == 2
    assert "随机重排 199 次" in section


def test_an_honest_round_says_no_round_wise_flag_stands_out(world, login, run):
    assert run.result_data()["engine"]["tables"]["detection"] == []  # the world's round is honest
    client = login(world.supervisor)
    html = client.get(f"/admin/results/runs/{run.id}/quality").get_data(as_text=True)
    section = html.split('id="round-flags-heading"', 1)[1].split("</section>", 1)[0]
    assert "没有哪两家单位相互抬高评分" in section and "0.05" in section
