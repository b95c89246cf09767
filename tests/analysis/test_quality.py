"""Response-quality flags: speeders, straight-lining with speed, hourly bursts, input flags."""

import numpy as np
import pandas as pd
import pytest

from analysis.config import EvaluationConfig
from analysis.prepare import parse_flags, prepare
from analysis.quality import compute_flags, flag_counts, flag_table
from analysis.synthetic import items_table


def frame(n=40, duration=100.0, answers=None, flags="", group="public", hours=None):
    rng = np.random.default_rng(0)
    data = {
        "response_id": np.arange(n),
        "group": group,
        "agency_id": 1,
        "rater_id": np.nan,
        "duration_s": duration,
        "submitted_at": pd.Timestamp("2025-03-03 09:00")
        + pd.to_timedelta(hours if hours is not None else rng.integers(0, 2000, n), unit="h"),
        "flags": flags,
    }
    items = items_table()
    for item in items["item_id"]:
        if item.startswith("e"):
            data[item] = rng.integers(1, 6, n).astype(float) if answers is None else answers[item]
        else:
            data[item] = np.nan
    return pd.DataFrame(data), items


def flags_for(responses, items, config=None):
    config = config or EvaluationConfig()
    prep = prepare(responses, items, config)
    return prep, compute_flags(prep, config)


def test_too_fast_uses_the_median_ratio_and_the_floor():
    responses, items = frame()
    durations = np.full(40, 100.0)
    durations[:3] = [29, 31, 14]  # 0.3 × median = 30; floor 3 s × 5 items = 15
    responses["duration_s"] = durations
    _, flags = flags_for(responses, items)
    np.testing.assert_array_equal(np.flatnonzero(flags.column("too_fast")), [0, 2])

    responses["duration_s"] = np.full(40, 12.0)  # everyone quick: the floor still applies
    _, flags = flags_for(responses, items)
    assert flags.column("too_fast").all()


def test_straight_lining_counts_only_together_with_speed():
    answers = {f"e{i}": np.full(40, 5.0) for i in range(1, 6)}
    responses, items = frame(answers=answers)
    durations = np.full(40, 100.0)
    durations[:4] = [45, 45, 35, 80]  # under 0.5 × median, not under 0.3 × median
    responses["duration_s"] = durations
    _, flags = flags_for(responses, items)
    np.testing.assert_array_equal(np.flatnonzero(flags.column("straight_line")), [0, 1, 2])
    assert not flags.column("too_fast").any()  # all 满意 at normal speed is no flag


def test_burst_in_one_hour_is_flagged_by_the_poisson_tail():
    hours = np.concatenate([np.arange(200) * 7, np.full(25, 500)])  # 25 in one hour
    n = len(hours)
    responses, items = frame(n=n, hours=hours)
    _, flags = flags_for(responses, items)
    burst = flags.column("burst")
    assert burst[200:].all()
    assert burst.sum() == 25 + (hours[:200] == 500).sum()


def test_bursts_below_the_minimum_count_are_ignored():
    hours = np.concatenate([np.arange(100) * 7, np.full(8, 500)])
    responses, items = frame(n=len(hours), hours=hours)
    _, flags = flags_for(responses, items)
    assert not flags.column("burst").any()


def test_input_flags_are_parsed_and_excluded_unless_reviewed():
    values = ["", "honeypot", "duplicate;honeypot", ["duplicate", "reviewed"], None, "x y"]
    names, matrix = parse_flags(pd.Series(values, dtype=object))
    assert names == ["duplicate", "honeypot", "reviewed", "x", "y"]
    assert matrix[2].tolist() == [True, True, False, False, False]
    assert not matrix[4].any()

    responses, items = frame(n=6)
    responses["flags"] = pd.Series(values, dtype=object)
    prep, flags = flags_for(responses, items)
    np.testing.assert_array_equal(flags.excluded, [False, True, True, False, False, True])
    np.testing.assert_array_equal(flags.kept_by_review, [False, False, False, True, False, False])
    table = flag_table(prep, flags)
    assert table.set_index("response_id").loc[2, "reasons"] == "duplicate,honeypot"
    counts = flag_counts(prep, flags)
    assert counts.loc["public", "honeypot"] == 2
    assert counts.loc["public", "excluded"] == 3
    assert counts.loc["public", "used"] == 3


def test_exclusion_rule_can_be_narrowed():
    responses, items = frame(n=4, flags="note")
    config = EvaluationConfig().replace(quality={"exclude": ["honeypot"]})
    _, flags = flags_for(responses, items, config)
    assert flags.any.all()
    assert not flags.excluded.any()


def test_groups_without_speed_check_are_not_flagged():
    responses, items = frame(duration=1.0, group="deputy")
    config = EvaluationConfig().replace(
        groups={"deputy": {"speed_check": False}, "public": {}, "grassroots": {}, "peer": {}}
    )
    _, flags = flags_for(responses, items, config)
    assert not flags.column("too_fast").any()


@pytest.mark.parametrize("stamp", ["2025-03-03 09:00+08:00", "2025-03-03 01:00+00:00"])
def test_time_zones_give_the_same_hours(stamp):
    responses, items = frame(n=3)
    responses["submitted_at"] = pd.to_datetime([stamp] * 3)
    prep = prepare(responses, items, EvaluationConfig())
    assert (prep.hour == prep.hour[0]).all()
    assert prep.hour[0] == pd.Timestamp("2025-03-03 01:00").value // 3_600_000_000_000
