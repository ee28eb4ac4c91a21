"""A dtype's short name, the one way every side writes it: ``float32``, not ``torch.float32``.

Plain Python (no torch import), so the grader, the learner side (the sandbox and a kata's
``world.py``) and the reports may all use it.
"""

from __future__ import annotations

from typing import Any


def dtype_name(dtype: Any) -> str:
    """``torch.float32`` (or its text ``"torch.float32"``) -> ``"float32"``."""
    text = str(dtype)
    return text[len("torch."):] if text.startswith("torch.") else text
