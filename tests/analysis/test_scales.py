"""Answer → 0–100 mapping: linear, policy tables, and 不了解 as missing."""

import numpy as np
import pytest

from analysis.config import Scale
from analysis.scales import to_points


def test_linear_five_point_scale():
    out = to_points(np.array([1, 2, 3, 4, 5, np.nan]), Scale("linear", 1, 5))
    np.testing.assert_array_equal(out[:5], [0, 25, 50, 75, 100])
    assert np.isnan(out[5])


def test_policy_table_shandong_100_75_55():
    scale = Scale("table", points=((1, 55), (2, 75), (3, 100)))
    out = to_points(np.array([3, 2, 1, np.nan, 3]), scale)
    np.testing.assert_array_equal(out[[0, 1, 2, 4]], [100, 75, 55, 100])
    assert np.isnan(out[3])


def test_dont_know_is_missing_never_zero():
    out = to_points(np.array([np.nan, np.nan]), Scale("linear", 1, 5))
    assert np.isnan(out).all()


@pytest.mark.parametrize(
    ("scale", "answers"),
    [
        (Scale("linear", 1, 5), [1, 6]),
        (Scale("linear", 1, 5), [0, 3]),
        (Scale("table", points=((1, 55), (2, 75), (3, 100))), [1, 2.5]),
        (Scale("table", points=((1, 55), (2, 75), (3, 100))), [4]),
    ],
)
def test_answers_off_the_scale_name_the_item(scale, answers):
    with pytest.raises(ValueError, match="'q7'"):
        to_points(np.array(answers, dtype=float), scale, "q7")
