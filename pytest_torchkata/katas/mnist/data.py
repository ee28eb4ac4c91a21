"""Grader side of the mnist kata's data: finding or downloading MNIST, the
training-only folder the learner's process is given, and the held-out accuracy.

Held-out digits never enter a learner process.  ``learner_view(root)`` writes a
private folder, ``<tmp>/torchkata-views-<uid>/mnist-<digest>/MNIST/raw/`` (under
``sandbox.levels.data_views_root()``, the one data folder the sandbox shows), holding the
real training files and, in place of the ``t10k`` files, the first training
digits (so ``datasets.MNIST(root, train=False)`` in a learner's
``make_loaders`` still loads, and its own evaluation reads sensible data); the
learner side is only ever given that path.  A sandbox needs to show the learner
only ``learner_view(root)`` (read-only), never ``root``.

``held_out_accuracy(state)`` is measured here, in the grading process: the
trained weights (raw tensors from the learner side) are loaded into the
grader's own copy of the article's network (``article_forward``), which then
classifies the held-out images.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F

from pytest_torchkata.checks.errors import LearnerCrashed
from pytest_torchkata.checks.hints import TORCHVISION_MISMATCH, TORCHVISION_MISMATCH_NEEDLE
from pytest_torchkata.i18n import tr

DOWNLOAD_TIMEOUT_S = 10.0
RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
IMAGE_HEADER, LABEL_HEADER, PIXELS = 16, 8, 28 * 28
VIEW_TEST_SIZE = 2_000  # training digits standing in for the test split in the learner's view
WEIGHTS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
           "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")
WEIGHT_SHAPES = {"conv1.weight": (10, 1, 5, 5), "conv1.bias": (10,), "conv2.weight": (20, 10, 5, 5),
                 "conv2.bias": (20,), "fc1.weight": (50, 320), "fc1.bias": (50,),
                 "fc2.weight": (10, 50), "fc2.bias": (10,)}

_download_failures: dict[str, str] = {}
_MISMATCHED = "torchvision-mismatch"  # a download failure that is the torch/torchvision pair's fault


# -- finding the data ----------------------------------------------------------------------

def has_mnist(root: Path) -> bool:
    raw = root / "MNIST" / "raw"
    return all((raw / name).is_file() for name in RAW_FILES)


def download_mnist(root: str) -> None:
    """torchvision's own download, with a socket timeout so an offline machine answers quickly."""
    from torchvision import datasets

    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        for train in (True, False):
            datasets.MNIST(root, train=train, download=True)
    finally:
        socket.setdefaulttimeout(saved)


def mnist_root(kata: Any) -> str:
    """The grader's data folder holding ``MNIST/raw``; downloads once if it is missing, else skips."""
    root = Path(kata.data_dir)
    if has_mnist(root):
        return str(root)
    key = str(root)
    if key not in _download_failures:
        try:
            download_mnist(key)
        except Exception as error:  # noqa: BLE001 - any failure means "no data here"
            text = " ".join(str(error).split()) or type(error).__name__
            _download_failures[key] = (_MISMATCHED if TORCHVISION_MISMATCH_NEEDLE in text.lower()
                                       else text if len(text) < 120 else text[:119] + "…")
        else:
            if not has_mnist(root):
                _download_failures[key] = tr("the files are still missing after the download",
                                             "下载之后文件仍然不在")
    if _download_failures.get(key) == _MISMATCHED:
        # not the data's fault: where the learner's file imports torchvision too, it cannot load
        # either, and that load failure (said once for the whole kata, with the fix) is raised here
        kata.run(file_loads)
        mismatch = LearnerCrashed(tr("torchvision cannot be imported, so MNIST cannot be downloaded",
                                     "无法导入 torchvision，所以无法下载 MNIST"), hint=str(TORCHVISION_MISMATCH))
        mismatch.load_failure = True
        raise mismatch
    if key in _download_failures:
        pytest.skip(tr("needs MNIST: pass --kata-data DIR or set TORCHKATA_DATA=DIR, where DIR holds "
                       "MNIST/raw/ (not found in {root}; download failed: {why})",
                       "需要 MNIST：请传入 --kata-data DIR 或设置 TORCHKATA_DATA=DIR，DIR 里要有 "
                       "MNIST/raw/（在 {root} 中没有找到；下载失败：{why}）", root=root, why=_download_failures[key]))
    return key


def file_loads(learner: Any) -> bool:
    """Run next to the learner's code: nothing to observe but that its file loads."""
    return True


# -- the learner's view: the training split only ------------------------------------------

def _count(header: bytes) -> int:
    return int.from_bytes(header[4:8], "big")


def _with_count(header: bytes, count: int) -> bytes:
    return header[:4] + count.to_bytes(4, "big") + header[8:]


def view_path(root: str) -> Path:
    """Where ``learner_view(root)`` puts its folder (the same path for the same data)."""
    raw = Path(root) / "MNIST" / "raw"
    stamp = "|".join(f"{name}:{(raw / name).stat().st_size}:{(raw / name).stat().st_mtime_ns}"
                     for name in RAW_FILES[:2])
    digest = hashlib.sha256(f"{Path(root).resolve()}|{stamp}".encode()).hexdigest()[:16]
    from pytest_torchkata.sandbox.levels import data_views_root

    return data_views_root() / f"mnist-{digest}"


def learner_view(root: str) -> str:
    """A folder with the training split of ``root`` and no held-out file (see the
    module docstring); made once, atomically, read-only for everyone else."""
    target = view_path(root)
    if has_mnist(target):
        return str(target)
    raw = Path(root) / "MNIST" / "raw"
    images = (raw / "train-images-idx3-ubyte").read_bytes()
    labels = (raw / "train-labels-idx1-ubyte").read_bytes()
    n = min(VIEW_TEST_SIZE, _count(labels[:LABEL_HEADER]) // 4)
    files = {
        "train-images-idx3-ubyte": images, "train-labels-idx1-ubyte": labels,
        "t10k-images-idx3-ubyte": _with_count(images[:IMAGE_HEADER], n)
        + images[IMAGE_HEADER:IMAGE_HEADER + n * PIXELS],
        "t10k-labels-idx1-ubyte": _with_count(labels[:LABEL_HEADER], n) + labels[LABEL_HEADER:LABEL_HEADER + n],
    }
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    (staging / "MNIST" / "raw").mkdir(parents=True)
    for name, data in files.items():
        path = staging / "MNIST" / "raw" / name
        path.write_bytes(data)
        path.chmod(0o444)
    for folder in (staging / "MNIST" / "raw", staging / "MNIST", staging):
        folder.chmod(0o555)
    try:
        os.rename(staging, target)
    except OSError:  # another run made it first
        if not has_mnist(target):
            raise
    return str(target)


def learner_root(kata: Any) -> str:
    """The folder the learner side is given: the training split only."""
    return learner_view(mnist_root(kata))


# -- the grader's copy of the article's network -------------------------------------------

def article_forward(weights: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The article's computation (eval mode: dropout is off) with the given weights."""
    x = F.max_pool2d(F.relu(F.conv2d(x, weights["conv1.weight"], weights["conv1.bias"])), 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, weights["conv2.weight"], weights["conv2.bias"])), 2)
    x = F.relu(F.linear(torch.flatten(x, 1), weights["fc1.weight"], weights["fc1.bias"]))
    return F.linear(x, weights["fc2.weight"], weights["fc2.bias"])


def checked_weights(state: Any, trained: bool = True) -> dict[str, torch.Tensor] | str:
    """The eight weight tensors as float32, or a sentence saying what is wrong with them
    (speaking of "the trained Net" when ``trained``, else of "the Net")."""
    net = tr("the trained Net", "训练后的 Net") if trained else tr("the Net", "Net")
    if not isinstance(state, dict):
        return (tr("the trained model's weights did not come back", "训练后模型的权重没有传回来") if trained else
                tr("the model's weights did not come back", "模型的权重没有传回来"))
    weights = {}
    for name in WEIGHTS:
        value = state.get(name)
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            return tr("{net} has no `{name}`", "{net} 没有 `{name}`", net=net, name=name)
        if tuple(value.shape) != WEIGHT_SHAPES[name]:
            return tr("{net}'s `{name}` has shape {got}, expected {want}", "{net} 的 `{name}` 形状是 {got}，应为 {want}",
                      net=net, name=name, got=tuple(value.shape), want=WEIGHT_SHAPES[name])
        weights[name] = value.detach().to(torch.float32)
    return weights


def load_split(root: str, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Images ``(N, 1, 28, 28)`` in [0, 1] and int64 labels, read in the grading process
    straight from the IDX files (the same bytes torchvision reads; importing torchvision
    would also import torch._dynamo here, a second and ~90 MB the grader does not need)."""
    raw = Path(root) / "MNIST" / "raw"
    prefix = "train" if train else "t10k"
    images = (raw / f"{prefix}-images-idx3-ubyte").read_bytes()
    labels = (raw / f"{prefix}-labels-idx1-ubyte").read_bytes()
    n = min(_count(images[:IMAGE_HEADER]), _count(labels[:LABEL_HEADER]))
    n = n if limit is None else min(n, limit)
    pixels = torch.frombuffer(bytearray(images[IMAGE_HEADER:IMAGE_HEADER + n * PIXELS]), dtype=torch.uint8)
    x = pixels.reshape(n, 1, 28, 28).to(torch.float32) / 255.0
    y = torch.frombuffer(bytearray(labels[LABEL_HEADER:LABEL_HEADER + n]), dtype=torch.uint8).to(torch.int64)
    return x, y


def predict(weights: dict[str, torch.Tensor], x: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([article_forward(weights, x[i:i + batch]).argmax(dim=1)
                          for i in range(0, len(x), batch)])


def held_out_accuracy(root: str, weights: dict[str, torch.Tensor]) -> tuple[float, int]:
    """Accuracy of the article's network with ``weights`` on the held-out split, and its size."""
    x, y = load_split(root, train=False)
    return float((predict(weights, x) == y).sum()) / len(y), len(y)


def digit_like_batch(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` noisy copies of 10 random patterns (the check's own, from its seed), one per class:
    learnable by heart in well under 100 steps by the article's CNN, and needing no data set."""
    g = torch.Generator().manual_seed(int(torch.randint(0, 2**31 - 1, ())))
    templates = (torch.rand(10, 1, 28, 28, generator=g) > 0.8).float()
    y = (torch.arange(n) % 10)[torch.randperm(n, generator=g)]
    x = 0.7 * templates[y] + 0.3 * torch.rand(n, 1, 28, 28, generator=g)  # (n, 1, 28, 28)
    return x, y


def train_size(root: str) -> int:
    """How many training digits ``root`` holds (from the label file's header)."""
    with open(Path(root) / "MNIST" / "raw" / "train-labels-idx1-ubyte", "rb") as f:
        return _count(f.read(LABEL_HEADER))
