"""The item statistics against values worked out by hand (in the comments)."""

from __future__ import annotations

import pytest

from pytest_torchkata.reports import itemstats as st

# five students, three all-or-nothing tasks (one point each)
A = [1, 1, 1, 0, 0]
B = [1, 1, 0, 1, 0]
C = [1, 0, 0, 0, 0]
TOTALS = [3, 2, 1, 1, 0]


def test_kr20_of_all_or_nothing_tasks():
    # p = .6, .6, .2 -> sum pq = .24 + .24 + .16 = .64; totals' variance = 5.2 / 5 = 1.04
    # KR-20 = 3/2 * (1 - .64 / 1.04) = 15/26
    assert st.reliability([A, B, C], [1, 1, 1]) == ("KR-20", pytest.approx(15 / 26))
    # all-or-nothing with two points: KR-20 on the 0/1 scores, the same value
    assert st.reliability([[2 * v for v in A], B, C], [2, 1, 1]) == ("KR-20", pytest.approx(15 / 26))


def test_cronbach_alpha_with_partial_credit():
    # columns [2,1,0,1] and [1,1,0,2]: variances .5 and .5; totals [3,2,0,3]: variance 1.5
    # alpha = 2/1 * (1 - 1/1.5) = 2/3
    assert st.reliability([[2, 1, 0, 1], [1, 1, 0, 2]], [2, 2]) == ("alpha", pytest.approx(2 / 3))


def test_reliability_is_none_without_two_tasks_or_without_spread():
    assert st.reliability([A], [1]) == ("KR-20", None)
    assert st.cronbach_alpha([[1, 1], [2, 2]]) is None  # every total the same


def test_corrected_item_total_correlation_leaves_the_task_out_of_the_total():
    # rest = [2,1,0,1,0]: sxy = .6, sxx = 1.2, syy = 2.8 -> r = .6 / sqrt(3.36)
    assert st.corrected_item_total(A, TOTALS) == pytest.approx(0.6 / 3.36 ** 0.5)
    assert st.corrected_item_total([1, 1, 1, 1, 1], TOTALS) is None  # no spread
    assert st.corrected_item_total([0.1] * 10, list(range(10))) is None  # no spread, up to rounding


def test_upper_lower_index_compares_the_top_and_bottom_27_percent():
    # 27 % of 5 students rounds to 1: the top (total 3) has C, the bottom (total 0) has not
    assert st.upper_lower_index(C, TOTALS) == 1.0
    # 40 %: two each; ranked by total with ties in order: s4, s2 | s1, s0 -> C: (0 + 1)/2 - 0
    assert st.upper_lower_index(C, TOTALS, fraction=0.4) == 0.5
    assert st.upper_lower_index([1], [1]) is None


def test_quintiles_rank_by_total_with_ties_in_order():
    assert st.quintile_of(TOTALS) == [4, 3, 1, 2, 0]
    assert st.quintile_of(list(range(10))) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert st.quintile_profile(A, st.quintile_of(TOTALS)) == [0, 1, 0, 1, 1]
    assert st.quintile_profile([1.0, 0.0, 0.5], st.quintile_of([3, 1, 2])) == [0.0, 0.5, None, 1.0, None]


def test_flags_for_discrimination_under_0_2_and_difficulty_outside_0_3_to_0_95():
    assert st.flags(0.25, 0.1) == ["low_discrimination", "too_hard"]
    assert st.flags(0.96, None) == ["too_easy"]
    assert st.flags(0.5, 0.2) == [] and st.flags(0.3, 0.5) == [] and st.flags(0.95, 0.5) == []


def test_histogram_puts_the_top_edge_in_the_last_bin():
    assert st.histogram([0, 5, 10], 0, 10, bins=2) == [1, 2]
    assert st.histogram([3, 3], 3, 3, bins=4) == [2, 0, 0, 0]
