"""Evaluation.explain(): the drill-down tree is JSON and adds up."""

import json

import pytest


def test_explain_is_json_serialisable(evaluation):
    agency = evaluation.ranking.index[0]
    tree = evaluation.explain(agency)
    text = json.dumps(tree, ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == tree
    assert tree["agency_id"] == agency
    assert [d["dimension"] for d in tree["dimensions"]] == [
        "comprehensiveness", "timeliness", "effectiveness", "cooperation",
    ]  # fmt: skip


@pytest.mark.parametrize("position", [0, 5, 11])
def test_the_tree_adds_up(evaluation, position):
    agency = evaluation.ranking.index[position]
    tree = evaluation.explain(agency)
    dims = tree["dimensions"]
    present = [d for d in dims if d["score"] is not None]
    total = sum(d["weight"] for d in present)
    assert tree["composite"] == pytest.approx(
        sum(d["weight"] * d["score"] for d in present) / total
    )
    for dim in dims[2:]:
        groups = [g for g in dim["groups"] if g["present"] and g["weight"] > 0]
        weight = sum(g["weight"] for g in groups)
        assert dim["weight_present"] == pytest.approx(weight)
        assert dim["score"] == pytest.approx(sum(g["weight"] * g["score"] for g in groups) / weight)
        for group in groups:
            assert group["n"] >= 1
            assert sum(item["n"] for item in group["items"]) >= group["n"]
            assert all(0 <= item["mean"] <= 100 for item in group["items"])


def test_explain_follows_the_agency_profile(evaluation):
    internal = evaluation.agencies.index[evaluation.agencies["profile"] == "internal"]
    tree = evaluation.explain(internal[0])
    effectiveness = tree["dimensions"][2]
    weights = {g["group"]: g["weight"] for g in effectiveness["groups"]}
    assert weights["public"] == pytest.approx(0.1)


def test_unknown_agency_raises(evaluation):
    with pytest.raises(KeyError):
        evaluation.explain("no such agency")


def test_the_whole_result_serialises(evaluation):
    data = evaluation.to_dict()
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    again = json.loads(text)
    assert again["config"] == evaluation.config.to_dict()
    assert len(again["tables"]["ranking"]) == len(evaluation.ranking)
    assert again["tables"]["ranking"][0]["agency_id"] == evaluation.ranking.index[0]
    assert {p["dimension"] for p in again["peer"]} == {"effectiveness", "cooperation"}
    assert again["uncertainty"] == {"method": "parametric", "replicates": 200}
