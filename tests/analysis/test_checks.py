"""Input checks: answers off the scale's points, strings for numbers, duplicate ids and rows
(each error names the rows by response_id), and AC2 categories from the scale definition."""

import numpy as np
import pandas as pd
import pytest

from analysis import EvaluationConfig, evaluate
from analysis.config import Scale
from analysis.scales import to_points

from .conftest import quick_config


def responses(answers, agencies=(1, 1, 2, 2), raters=("d1", "d2", "d1", "d2"), ids=None):
    n = len(answers)
    return pd.DataFrame(
        {
            "response_id": ids if ids is not None else [f"r{i}" for i in range(n)],
            "group": "deputy",
            "agency_id": list(agencies)[:n],
            "rater_id": list(raters)[:n],
            "duration_s": [100.0 + i for i in range(n)],
            "submitted_at": pd.Timestamp("2025-03-03 09:00") + pd.to_timedelta(range(n), "h"),
            "flags": "",
            "q1": answers,
        }
    )


def items(scale="likert5"):
    return pd.DataFrame({"item_id": ["q1"], "dimension": ["成效度"], "scale": [scale]})


def run(frame, scale="likert5", config=None, workers=1):
    return evaluate(frame, items(scale), config or quick_config(), workers=workers)


def test_a_value_between_the_points_names_its_row():
    with pytest.raises(ValueError, match=r"'q1'.*\[3\.5\].*response_id r2 \(1 rows\)"):
        run(responses([4.0, 5.0, 3.5, 2.0]))


def test_a_value_outside_the_scale_names_its_row():
    with pytest.raises(ValueError, match=r"\[6\.0\].*response_id r0 \(1 rows\)"):
        run(responses([6.0, 5.0, 3.0, 2.0]))


def test_a_slider_scale_takes_any_value_in_its_range():
    scale = Scale("linear", 0, 10, step=0)
    np.testing.assert_allclose(to_points(np.array([3.5, 10.0]), scale), [35.0, 100.0])
    with pytest.raises(ValueError, match="10.5"):
        to_points(np.array([10.5]), scale, "s")


def test_a_half_point_scale_takes_its_half_points():
    scale = Scale("linear", 1, 3, step=0.5)
    np.testing.assert_allclose(to_points(np.array([1.5, 2.5]), scale), [25.0, 75.0])
    with pytest.raises(ValueError, match="1.25"):
        to_points(np.array([1.25]), scale, "s")


def test_a_step_that_does_not_divide_the_range_is_refused():
    with pytest.raises(ValueError, match="step"):
        Scale("linear", 1, 5, step=3)


def test_a_string_where_a_number_is_due_names_its_row():
    frame = responses([4.0, "5", 3.0, None])
    with pytest.raises(ValueError, match=r"'q1' must be numbers.*\['5'\].*response_id r1 \("):
        run(frame)


def test_missing_answers_in_an_object_column_are_fine():
    frame = responses(pd.Series([4.0, None, 3.0, 5.0], dtype=object))
    assert frame["q1"].dtype == object
    ev = run(frame)
    assert ev.cells["n"].sum() == 3


def test_a_string_duration_names_its_row():
    frame = responses([4.0, 5.0, 3.0, 2.0])
    frame["duration_s"] = frame["duration_s"].astype(object)
    frame.loc[3, "duration_s"] = "90"
    with pytest.raises(ValueError, match=r"duration_s.*response_id r3"):
        run(frame)


def test_duplicate_response_ids_are_named():
    frame = responses([4.0, 5.0, 3.0, 2.0], ids=["a", "b", "a", "c"])
    with pytest.raises(ValueError, match=r"duplicate response ids: response_id a, a \(2 rows\)"):
        run(frame)


@pytest.mark.parametrize("workers", [1, 2])  # 2: the signature runs on the second thread
def test_a_response_submitted_twice_is_named(workers):
    frame = responses([4.0, 5.0, 3.0, 2.0])
    again = frame.iloc[[1]].assign(response_id="r9")
    with pytest.raises(ValueError, match=r"more than once.*response_id r1, r9 \(2 rows\)"):
        run(pd.concat([frame, again], ignore_index=True), workers=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_off_scale_answer_is_reported_before_a_duplicate(workers):
    frame = responses([4.0, 5.0, 3.0, 7.0])
    again = frame.iloc[[1]].assign(response_id="r9")
    with pytest.raises(ValueError, match=r"answers \[7.0\] are not on its scale"):
        run(pd.concat([frame, again], ignore_index=True), workers=workers)


def test_equal_answers_at_other_times_are_not_duplicates():
    frame = responses([4.0, 4.0, 4.0, 4.0], agencies=(1, 1, 1, 1), raters=("a", "b", "c", "d"))
    frame["duration_s"] = 100.0
    ev = run(frame)
    assert ev.cells["n"].sum() == 4


def test_ac2_takes_its_categories_from_the_scale():
    """Hand-computed: likert3 points 0/50/100, two deputies × two agencies; agency 1 gets
    50, 50 and agency 2 50, 100. With q = 3 (the scale): quadratic weights 1, .75, 0;
    p_a = (1 + .75)/2 = .875, π = (0, .75, .25), p_e = 6/6 · .375 = .375 → AC2 = .5/.625 = 0.8.
    With only the observed 50/100 (q = 2) it would be (.5 − .375)/.625 = 0.2."""
    frame = responses([2.0, 2.0, 2.0, 3.0])
    ev = run(frame, "likert3")
    table = ev.quality.reliability.set_index(["group", "dimension"])
    assert table.loc[("deputy", "effectiveness"), "gwet_ac2"] == pytest.approx(0.8)


def test_default_config_round_trips_the_step():
    config = EvaluationConfig()
    assert config.scales["likert5"].step == 1.0
    assert EvaluationConfig.from_json(config.to_json()) == config
