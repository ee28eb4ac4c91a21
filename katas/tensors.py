"""Kata: tensors (张量) — the everyday moves with torch.Tensor.

What you practise here:
  1. making tensors from Python lists and NumPy arrays, and choosing the dtype;
  2. reordering axes with `permute` and flattening safely (`view` vs `reshape`);
  3. broadcasting: all pairwise distances at once, without a Python loop;
  4. masks: a mean over selected entries that stays finite when nothing is selected;
  5. one-hot labels and back again;
  6. a numerically stable softmax, and 7. log-softmax, over any `dim`;
  8. the NumPy bridge: tensors that need gradients, and shared memory.

Fill in each `TODO` below, then run:

    pytest --kata=tensors

Each task is graded on its own; the summary tells you which task to do next.
Rules for every task: keep every step in torch (no Python loops over elements
or rows), never change the tensors you are given (build new ones), and keep a
batch dimension even when the batch holds one row.
Tip: print shapes (`x.shape`) while you work.
"""

import numpy as np
import torch
import torch.nn.functional as F  # noqa: F401  (F.one_hot is welcome in task 5)


# -- Task 1: creating tensors -------------------------------------------------

def from_list(data: list) -> torch.Tensor:
    """A (nested) list of numbers -> a float32 tensor of the same shape.

    Returns float32 whatever the list holds: `torch.tensor([1, 2, 3])` is
    int64, so ask for float32 explicitly.
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Tensors from lists and NumPy): not written yet")


def from_numpy(arr: np.ndarray) -> torch.Tensor:
    """A NumPy array -> a tensor with the same shape, values and dtype
    (float64 stays float64, int32 stays int32).
    """
    # TODO(task 1): write this part
    raise NotImplementedError("Task 1 (Tensors from lists and NumPy): not written yet")


# -- Task 2: permute and flatten ----------------------------------------------

def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    """Images (B, C, H, W) -> (B, H, W, C): move the channel axis last.

    `out[b, h, w, c]` must equal `x[b, c, h, w]`.
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Permute, then flatten): not written yet")


def flatten_pixels(x: torch.Tensor) -> torch.Tensor:
    """(B, H, W, C) -> (B, H*W*C): one row per image, in the order of `x`.

    `x` may be non-contiguous (the output of `permute`, for example).
    """
    # TODO(task 2): write this part
    raise NotImplementedError("Task 2 (Permute, then flatten): not written yet")


# -- Task 3: broadcasting -----------------------------------------------------

def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances between every row of `a` and every row of `b`.

    a: (N, D), b: (M, D) -> (N, M) with out[i, j] = sum_k (a[i, k] - b[j, k])**2,
    in the dtype of `a` and `b` (float64 stays float64), never negative.
    No Python loops, and `torch.cdist` is ruled out: the point is to let
    broadcasting do the pairing yourself.
    """
    # TODO(task 3): write this part
    raise NotImplementedError("Task 3 (Pairwise distances by broadcasting): not written yet")


# -- Task 4: masks ------------------------------------------------------------

def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of each row of `x` over the entries where `mask` is True.

    x: (N, L) float, mask: (N, L) bool -> (N,) in the dtype of `x`. A row with
    no True entry gives 0 (not NaN). No Python loops; leave `x` unchanged.
    """
    # TODO(task 4): write this part
    raise NotImplementedError("Task 4 (Masked mean that never divides by zero): not written yet")


# -- Task 5: one-hot ----------------------------------------------------------

def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Class indices (N,) int64 -> (N, num_classes) float32 with a single 1 per row.

    The width is `num_classes` even when the largest class is missing from
    `labels`. Indexing a zeros tensor or `F.one_hot` both do it (`F.one_hot`
    returns int64: turn it into float32).
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One-hot labels and back): not written yet")


def from_one_hot(onehot: torch.Tensor) -> torch.Tensor:
    """The inverse: (N, C) rows (one-hot or scores) -> (N,) int64 index of each
    row's largest entry (a tensor, also when N is 1).
    """
    # TODO(task 5): write this part
    raise NotImplementedError("Task 5 (One-hot labels and back): not written yet")


# -- Task 6 and 7: softmax and log-softmax ------------------------------------

def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """exp(x) normalised to sum to 1 along `dim`; same shape and dtype as `x`.

    Must stay finite for logits like ±1000 (exp(1000) overflows to inf), for
    every row on its own. Write it yourself from exp, max and sum: ruled out
    here are `torch.softmax`, `torch.Tensor.softmax`, `torch.nn.functional.softmax`,
    `torch.special.softmax`, and their log versions `torch.log_softmax`,
    `torch.Tensor.log_softmax`, `torch.nn.functional.log_softmax`,
    `torch.special.log_softmax`. Leave `x` unchanged (no `x -= ...`).
    """
    # TODO(task 6): write this part
    raise NotImplementedError("Task 6 (Numerically stable softmax): not written yet")


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """log(softmax(x)) along `dim`, computed so that it stays finite for
    logits like ±1000; same shape and dtype as `x`.

    The same rules as `softmax`: ruled out are `torch.log_softmax`,
    `torch.Tensor.log_softmax`, `torch.nn.functional.log_softmax`,
    `torch.special.log_softmax`, and `torch.softmax`, `torch.Tensor.softmax`,
    `torch.nn.functional.softmax`, `torch.special.softmax` (`torch.logsumexp` is
    fine). Leave `x` unchanged.
    """
    # TODO(task 7): write this part
    raise NotImplementedError("Task 7 (Numerically stable log-softmax): not written yet")


# -- Task 8: the NumPy bridge -------------------------------------------------

def to_numpy(t: torch.Tensor) -> np.ndarray:
    """Any tensor -> a NumPy array with the same values and dtype, even if `t`
    requires grad or lives on a GPU.
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (The NumPy bridge): not written yet")


def share_memory_with_numpy(arr: np.ndarray) -> torch.Tensor:
    """A tensor that shares memory with `arr` (so it keeps the array's dtype):
    writing into one shows in the other.
    """
    # TODO(task 8): write this part
    raise NotImplementedError("Task 8 (The NumPy bridge): not written yet")
