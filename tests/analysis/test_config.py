"""EvaluationConfig: defaults from STATISTICS.md, validation naming the field, exact JSON."""

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import ConfigError, EvaluationConfig, GroupConfig, Scale


def test_defaults_follow_the_reference():
    config = EvaluationConfig()
    weights = config.group_weights["default"]
    assert dict(weights["effectiveness"]) == {
        "public": 0.3, "deputy": 0.3, "grassroots": 0.3, "peer": 0.1,
    }  # fmt: skip
    assert dict(weights["cooperation"]) == {
        "public": 0.0, "deputy": 0.0, "grassroots": 0.4, "peer": 0.6,
    }  # fmt: skip
    assert config.groups["peer"].estimator == "srm"
    assert config.groups["deputy"].trim_count == 1
    assert config.groups["deputy"].trim_min_n == 7
    assert config.groups["public"].min_n == 30
    assert config.groups["public"].estimator == "mean"
    assert config.quality.seconds_per_item == 3.0
    assert config.quality.median_ratio == 0.3
    assert config.quality.burst_p == 1e-4
    assert config.reliability_threshold == 0.7
    assert dict(config.bands) == {"excellent": 90.0, "good": 80.0, "fair": 70.0}
    assert config.sensitivity == 0.2
    assert config.bootstrap.replicates == 2000
    assert config.scales["satisfaction3"].points == ((1.0, 55.0), (2.0, 75.0), (3.0, 100.0))


def test_json_round_trip_is_exact():
    config = EvaluationConfig()
    text = config.to_json()
    again = EvaluationConfig.from_json(text)
    assert again == config
    assert again.to_json() == text
    assert hash(again) == hash(config)
    assert json.loads(text)["schema_version"] == 1


def test_round_trip_keeps_every_changed_setting():
    config = EvaluationConfig().replace(
        groups={"public": GroupConfig("trimmed", trim=0.2), "peer": GroupConfig("srm")},
        group_weights={
            "default": {
                "effectiveness": {"public": 0.5, "peer": 0.5},
                "cooperation": {"peer": 1.0},
            }
        },
        scales={"yes_no": Scale("table", points=((0, 0), (1, 100)))},
        excellent_quota=0.25,
        missing_group="group_mean",
        quality={"exclude": ["too_fast", "honeypot"], "keep_flag": "ok"},
    )
    again = EvaluationConfig.from_json(config.to_json())
    assert again == config
    assert again.to_json() == config.to_json()
    assert again.quality.exclude == ("too_fast", "honeypot")
    assert again.groups["public"].trim == 0.2


finite = st.floats(0, 1, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    w=st.lists(finite, min_size=4, max_size=4).filter(lambda w: sum(w) > 0.01),
    trim=st.floats(0, 0.49),
    threshold=st.floats(0, 100),
    seed=st.integers(0, 2**31),
    replicates=st.integers(0, 5000),
)
def test_round_trip_of_arbitrary_valid_settings(w, trim, threshold, seed, replicates):
    total = sum(w)
    names = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")
    weights = {n: x / total for n, x in zip(names, w, strict=True)}
    weights["cooperation"] = 1 - sum(v for k, v in weights.items() if k != "cooperation")
    try:
        config = EvaluationConfig().replace(
            dimension_weights=weights,
            satisfied_threshold=threshold,
            groups={"public": GroupConfig("trimmed", trim=trim)}
            | {g: GroupConfig() for g in ("deputy", "grassroots", "peer")},
            bootstrap={"replicates": replicates, "seed": seed, "chunk": 50},
        )
    except ConfigError:
        return  # rounding can push a weight a hair below 0; that must be an error, not a crash
    text = config.to_json()
    assert EvaluationConfig.from_json(text) == config
    assert EvaluationConfig.from_json(text).to_json() == text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"groups": {"public": {"trim": 0.7}}}, "groups.public.trim"),
        ({"groups": {"public": {"estimator": "median"}}}, "groups.public.estimator"),
        ({"groups": {"public": {"min_n": 0}}}, "groups.public.min_n"),
        (
            {"group_weights": {"default": {"effectiveness": {"public": 0.5}, "cooperation": {}}}},
            "group_weights.default.effectiveness",
        ),
        (
            {"group_weights": {"default": {"effectiveness": {"crowd": 1.0}, "cooperation": {}}}},
            "group_weights.default.effectiveness.crowd",
        ),
        ({"dimension_weights": {"effectiveness": 1.2}}, "dimension_weights.effectiveness"),
        ({"bands": {"excellent": 70, "good": 80, "fair": 60}}, "bands"),
        ({"bands": {"excellent": 90, "good": 80}}, "bands"),
        ({"quality": {"burst_p": 0}}, "quality.burst_p"),
        ({"quality": {"median_ratio": "fast"}}, "quality.median_ratio"),
        ({"scales": {"s": {"kind": "linear", "low": 5, "high": 1}}}, "scales.s.high"),
        ({"scales": {"s": {"kind": "table", "points": [[1, 50]]}}}, "scales.s.points"),
        (
            {"scales": {"s": {"kind": "table", "points": [[1, 150], [2, 0]]}}},
            "scales.s.points[0][1]",
        ),
        ({"bootstrap": {"replicates": -1}}, "bootstrap.replicates"),
        ({"peer": {"rival_z": 2}}, "peer.rival_z"),
        ({"missing_group": "zero"}, "missing_group"),
        ({"tie_rule": "lower"}, "tie_rule"),
        ({"confidence": 1.5}, "confidence"),
        ({"colour": "red"}, "colour"),
        ({"quality": {"speed": 1}}, "quality.speed"),
        ({"default_profile": "nope"}, "default_profile"),
    ],
)
def test_validation_names_the_field(change, field):
    with pytest.raises(ConfigError) as info:
        EvaluationConfig.from_dict(change)
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_rejects_bad_json_and_versions():
    with pytest.raises(ConfigError):
        EvaluationConfig.from_json("{not json")
    with pytest.raises(ConfigError) as info:
        EvaluationConfig.from_dict({"schema_version": 99})
    assert info.value.field == "schema_version"


def test_config_is_frozen_and_picklable():
    config = EvaluationConfig()
    with pytest.raises(AttributeError):
        config.shrinkage = False
    with pytest.raises(TypeError):
        config.groups["public"] = GroupConfig()
    assert pickle.loads(pickle.dumps(config)) == config  # noqa: S301  (our own bytes)


def test_unknown_weight_profile_is_an_error():
    with pytest.raises(ValueError, match="profile"):
        EvaluationConfig().weights_for("party")


def test_partial_groups_keep_their_own_defaults():
    config = EvaluationConfig.from_dict(
        {"groups": {"public": {}, "deputy": {}, "grassroots": {}, "peer": {"min_n": 8}}}
    )
    assert config.groups["peer"].estimator == "srm"
    assert config.groups["peer"].min_n == 8
    assert config.groups["deputy"] == EvaluationConfig().groups["deputy"]


def test_replace_merges_into_the_current_settings():
    base = EvaluationConfig().replace(bootstrap={"replicates": 100, "seed": 5})
    changed = base.replace(
        bootstrap={"replicates": 0}, groups={**base.groups, "peer": {"trim": 0.2}}
    )
    assert changed.bootstrap.seed == 5 and changed.bootstrap.replicates == 0
    assert changed.groups["peer"].estimator == "srm" and changed.groups["peer"].trim == 0.2
    assert changed.groups["public"] == base.groups["public"]
    assert base.replace() == base
