"""Learner-world helpers of the tensors kata (run through ``kata.run``).

They run in the learner's process, next to the learner's code, and return
observations only: the learner's outputs, the inputs as they are after the
call (to see in-place changes), whether a tensor is contiguous or shares
memory.  They compare nothing and decide nothing; the checks in
``tensors.py`` do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def _keeping_inputs(name: str):
    """A helper that calls the learner's ``name`` and also returns its tensor
    inputs as they are afterwards.  Its ``__name__`` is the learner's function,
    so an error names that function."""
    def helper(module: Any, *args: Any, **kwargs: Any) -> dict:
        out = getattr(module, name)(*args, **kwargs)
        return {"out": out, "inputs": list(args)}
    helper.__name__ = name
    helper.__qualname__ = f"call_{name}"
    return helper


call_pairwise_sq_dists = _keeping_inputs("pairwise_sq_dists")
call_masked_mean = _keeping_inputs("masked_mean")
call_softmax = _keeping_inputs("softmax")
call_log_softmax = _keeping_inputs("log_softmax")


def flatten_pixels_after_permute(learner: Any, shape: list[int]) -> Any:
    """A permuted (non-contiguous) batch goes into `flatten_pixels` without
    crossing the wire (which would make it contiguous)."""
    b, c, h, w = shape
    images = torch.arange(b * c * h * w, dtype=torch.float32).reshape(b, c, h, w)
    x = images.permute(0, 2, 3, 1)  # (B, H, W, C), not contiguous
    return {"contiguous": x.is_contiguous(), "out": learner.flatten_pixels(x)}


flatten_pixels_after_permute.__name__ = "flatten_pixels"


def share_memory_probe(learner: Any, values: np.ndarray) -> dict:
    """Does the returned tensor share the memory of an array of ``values``?  (Results cross back as
    copies, so only this side can tell.)  Returns the tensor before and after a
    write into the array; the check compares them."""
    arr = np.array(values, dtype=np.float64)
    t = learner.share_memory_with_numpy(arr)
    if not isinstance(t, torch.Tensor):
        return {"out": t}
    before = t.detach().cpu().clone()
    arr[0, 0] = 42.0
    return {"out": before, "after_write": t.detach().cpu().clone()}


share_memory_probe.__name__ = "share_memory_with_numpy"


def _on_transposed(name: str):
    """Like ``_keeping_inputs``, but the first argument arrives as its transpose
    and is transposed back here, so the learner's function gets a non-contiguous
    view (a tensor crossing the wire arrives contiguous)."""
    def helper(module: Any, first_t: torch.Tensor, *args: Any, **kwargs: Any) -> dict:
        first = first_t.transpose(0, 1)
        out = getattr(module, name)(first, *args, **kwargs)
        return {"out": out, "inputs": [first, *args], "contiguous": first.is_contiguous()}
    helper.__name__ = name
    helper.__qualname__ = f"{name}_on_a_view"  # its name in this module: how the learner side finds it
    return helper


pairwise_sq_dists_on_a_view = _on_transposed("pairwise_sq_dists")
masked_mean_on_a_view = _on_transposed("masked_mean")
softmax_on_a_view = _on_transposed("softmax")
log_softmax_on_a_view = _on_transposed("log_softmax")
