"""Seeded variety for the checks: every check's inputs depend on ``--kata-seed``.

The ``kata`` fixture seeds torch's generator with the check's own seed (a keyed hash of
the secret seed and the check's id) before the check runs, so whatever a check draws from
it changes with the secret: a table of answers recorded at one seed is worth nothing at
another.  These helpers are for the inputs that would otherwise be fixed: a model built
under a constant seed, a hand-picked edge case.  Grader side only.
"""

from __future__ import annotations

import torch


def draw_seed() -> int:
    """A seed for a generator of the check's own (a model it builds, a learner's ``seed``
    argument), drawn from the check's seeded generator."""
    return int(torch.randint(0, 2**31 - 1, ()).item())


def jitter(values: torch.Tensor, scale: float) -> torch.Tensor:
    """``values`` moved up by a seeded amount in [0, ``scale``) each: an edge case (logits of
    1000, a point at zero) stays one, at values no table holds."""
    return values + scale * torch.rand(values.shape, dtype=values.dtype)
