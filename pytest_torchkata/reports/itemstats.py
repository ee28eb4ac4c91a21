"""Item statistics of a class, in plain Python: how hard each task was, how well it
tells strong students from weak ones, and how consistent the whole assignment is.

Everything works on numbers only (no report, no text), so each figure can be checked
by hand:

- ``difficulty``: the mean share of the task's points (1.0 everyone full marks).
- ``corrected_item_total``: Pearson's r between the task's score and the total *without*
  that task (so a task does not correlate with itself); ``None`` when either has no spread.
- ``upper_lower_index``: the mean share of points of the top 27 % (by total) minus that
  of the bottom 27 % (at least one student each); ``None`` below two students.
- ``quintile_profile``: the mean share of points in each fifth of the class by total,
  lowest fifth first (``quintile_of`` says which fifth a student is in).
- ``reliability``: KR-20 when every task is scored all or nothing (on the 0/1 scores),
  else Cronbach's alpha on the points; both use population variances and are ``None``
  with fewer than two tasks or no spread in the totals.
- ``flags``: ``low_discrimination`` (r under 0.2), ``too_hard`` (difficulty under 0.3),
  ``too_easy`` (difficulty over 0.95).

Students are ranked by total, ties in the order given (a stable sort).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Optional

GROUP_SHARE = 0.27  # Kelley's upper and lower groups
QUINTILES = 5
LOW_DISCRIMINATION = 0.2
TOO_HARD = 0.3
TOO_EASY = 0.95
FLAGS = ("low_discrimination", "too_hard", "too_easy")


def mean(values: Sequence[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def variance(values: Sequence[float]) -> float:
    """The population variance (divided by n); 0 for fewer than two values."""
    if len(values) < 2:
        return 0.0
    m = sum(values) / len(values)
    return sum((v - m) ** 2 for v in values) / len(values)


def pearson(x: Sequence[float], y: Sequence[float]) -> Optional[float]:
    """Pearson's correlation of two equally long sequences; ``None`` when either is constant."""
    if len(x) != len(y):
        raise ValueError("pearson: the two sequences differ in length")
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    # no spread (up to rounding: ten times 0.1 has a mean that is not quite 0.1)
    if sxx <= 1e-12 * sum(a * a for a in x) or syy <= 1e-12 * sum(b * b for b in y):
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def corrected_item_total(item: Sequence[float], totals: Sequence[float]) -> Optional[float]:
    """r between each student's task score and their total less that score."""
    return pearson(item, [t - i for i, t in zip(item, totals)])


def ranked(totals: Sequence[float]) -> list[int]:
    """Student indices from the lowest total to the highest, ties in the order given."""
    return sorted(range(len(totals)), key=lambda i: totals[i])


def upper_lower_index(shares: Sequence[float], totals: Sequence[float],
                      fraction: float = GROUP_SHARE) -> Optional[float]:
    """Mean share of the top ``fraction`` minus that of the bottom ``fraction`` (by total)."""
    n = len(shares)
    if n < 2:
        return None
    k = min(n // 2, max(1, round(fraction * n)))
    order = ranked(totals)
    low = [shares[i] for i in order[:k]]
    high = [shares[i] for i in order[-k:]]
    return sum(high) / k - sum(low) / k


def quintile_of(totals: Sequence[float]) -> list[int]:
    """Each student's fifth of the class by total: 0 (lowest) to 4 (highest); position
    ``p`` of ``n`` in the ranking falls in fifth ``5p // n``."""
    n = len(totals)
    out = [0] * n
    for position, i in enumerate(ranked(totals)):
        out[i] = QUINTILES * position // n
    return out


def quintile_profile(shares: Sequence[float], quintiles: Sequence[int]) -> list[Optional[float]]:
    """The mean share of points in each fifth (``None`` for a fifth without students)."""
    groups: list[list[float]] = [[] for _ in range(QUINTILES)]
    for share, q in zip(shares, quintiles):
        groups[q].append(share)
    return [mean(g) for g in groups]


def dichotomous(columns: Sequence[Sequence[float]], maxima: Sequence[float]) -> bool:
    """Whether every task is scored all (its maximum) or nothing."""
    return all(all(v == 0 or math.isclose(v, top) for v in col) for col, top in zip(columns, maxima))


def cronbach_alpha(columns: Sequence[Sequence[float]]) -> Optional[float]:
    """alpha = k/(k-1) * (1 - sum of task variances / variance of the totals); one column per task."""
    k = len(columns)
    if k < 2 or not columns[0]:
        return None
    totals = [sum(row) for row in zip(*columns)]
    total_var = variance(totals)
    if total_var <= 0:
        return None
    return k / (k - 1) * (1 - sum(variance(c) for c in columns) / total_var)


def kr20(columns: Sequence[Sequence[float]]) -> Optional[float]:
    """KR-20 = k/(k-1) * (1 - sum p*q / variance of the totals), on 0/1 columns."""
    k = len(columns)
    if k < 2 or not columns[0]:
        return None
    n = len(columns[0])
    totals = [sum(row) for row in zip(*columns)]
    total_var = variance(totals)
    if total_var <= 0:
        return None
    pq = sum((sum(c) / n) * (1 - sum(c) / n) for c in columns)
    return k / (k - 1) * (1 - pq / total_var)


def reliability(columns: Sequence[Sequence[float]], maxima: Sequence[float]) -> tuple[str, Optional[float]]:
    """("KR-20", value) when every task is all or nothing, else ("alpha", Cronbach's alpha)."""
    if columns and dichotomous(columns, maxima):
        return "KR-20", kr20([[1.0 if v > 0 else 0.0 for v in col] for col in columns])
    return "alpha", cronbach_alpha(columns)


def flags(difficulty: Optional[float], discrimination: Optional[float]) -> list[str]:
    """The flags of a task (``FLAGS``) from its difficulty and corrected item-total r."""
    out = []
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        out.append("low_discrimination")
    if difficulty is not None and difficulty < TOO_HARD:
        out.append("too_hard")
    if difficulty is not None and difficulty > TOO_EASY:
        out.append("too_easy")
    return out


def histogram(values: Sequence[float], low: float, high: float, bins: int = 10) -> list[int]:
    """Counts of ``values`` in ``bins`` equal bins over [low, high]; the top edge is in the last bin."""
    counts = [0] * bins
    span = high - low
    for v in values:
        b = 0 if span <= 0 else int((v - low) / span * bins)
        counts[min(bins - 1, max(0, b))] += 1
    return counts
