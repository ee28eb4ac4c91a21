"""A shard of a class: which students one machine of many grades (``torchkata grade --shard``).

A student belongs to shard ``K`` of ``N`` when the SHA-256 of their name, as a number,
is ``K`` modulo ``N``: the same on every machine, whatever order the submissions are
listed in, and about even for any class.  ``K`` counts from 0, as job arrays do.

``--shard auto`` takes K and N from the engine that started the run, looking in turn at:

* ``TORCHKATA_SHARD_INDEX`` and ``TORCHKATA_SHARD_COUNT``, set by hand (a GitHub Actions matrix);
* a SLURM job array: ``SLURM_ARRAY_TASK_ID`` with ``SLURM_ARRAY_TASK_MIN`` and
  ``SLURM_ARRAY_TASK_COUNT`` (or ``_MAX``, and ``_STEP`` when the array skips);
* a Kubernetes Indexed Job: ``JOB_COMPLETION_INDEX`` with the completions count from
  ``--shard-count`` or ``TORCHKATA_SHARD_COUNT`` (Kubernetes does not tell a pod).

Nothing here imports torch or pytest.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from pytest_torchkata.i18n import tr

INDEX_ENV = "TORCHKATA_SHARD_INDEX"
COUNT_ENV = "TORCHKATA_SHARD_COUNT"
SLURM_ID = "SLURM_ARRAY_TASK_ID"
K8S_INDEX = "JOB_COMPLETION_INDEX"


class ShardProblem(Exception):
    """A ``--shard`` that cannot be used; the message says why and what would do."""


@dataclass(frozen=True)
class Shard:
    index: int  # K, from 0
    count: int  # N
    source: str = "--shard"  # where K and N came from, for the manifest and messages

    def owns(self, student: str) -> bool:
        return bucket(student, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def bucket(student: str, count: int) -> int:
    """The shard (from 0) that grades ``student`` when the class is cut in ``count``."""
    return int.from_bytes(hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()[:8], "big") % count


def _number(text: str | None, what: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ShardProblem(tr("{what} is {text!r}, not a whole number", "{what} 是 {text!r}，不是整数",
                              what=what, text=text)) from None
    return value


def _checked(index: int, count: int, source: str) -> Shard:
    if count < 1:
        raise ShardProblem(tr("the number of shards ({source}) must be at least 1, not {count}",
                              "分片数（{source}）至少是 1，而不是 {count}", source=source, count=count))
    if not 0 <= index < count:
        raise ShardProblem(tr("shard {index} of {count} ({source}) does not exist: shards count from 0, "
                              "so 0/{count} ... {last}/{count}",
                              "{count} 个分片中没有第 {index} 个（{source}）：分片从 0 开始数，即 0/{count} ... {last}/{count}",
                              index=index, count=count, source=source, last=count - 1))
    return Shard(index, count, source)


def parse(spec: str | None, count: int | None = None, environ: Mapping[str, str] = os.environ) -> Shard | None:
    """The shard ``--shard`` names (``K/N`` or ``auto``), or None for the whole class."""
    if spec is None:
        if count is not None:
            raise ShardProblem(tr("--shard-count goes with --shard auto", "--shard-count 要和 --shard auto 一起用"))
        return None
    if spec.strip().lower() == "auto":
        return from_engine(environ, count)
    if count is not None:
        raise ShardProblem(tr("--shard-count goes with --shard auto; --shard K/N names the count itself",
                              "--shard-count 要和 --shard auto 一起用；--shard K/N 自己已经给出了分片数"))
    index, slash, total = spec.partition("/")
    if not slash:
        raise ShardProblem(tr("--shard {spec!r}: write K/N (shard K of N, K from 0, e.g. 0/4) or auto",
                              "--shard {spec!r}：请写成 K/N（N 个分片中的第 K 个，K 从 0 开始，例如 0/4）或 auto",
                              spec=spec))
    return _checked(_number(index, "--shard K"), _number(total, "--shard N"), "--shard")


def from_engine(environ: Mapping[str, str], count: int | None = None) -> Shard:
    """K and N from the variables a job array, an Indexed Job or a matrix sets (module docstring)."""
    env = {k: v for k, v in environ.items() if v.strip()}
    if INDEX_ENV in env:
        total = count if count is not None else env.get(COUNT_ENV)
        if total is None:
            raise ShardProblem(tr("{index} is set but not the number of shards: set {count} too, or pass "
                                  "--shard-count N", "设置了 {index}，但没有分片数：请同时设置 {count}，或传入 --shard-count N",
                                  index=INDEX_ENV, count=COUNT_ENV))
        return _checked(_number(env[INDEX_ENV], INDEX_ENV), _number(total, COUNT_ENV), INDEX_ENV)
    if SLURM_ID in env:
        low = _number(env.get("SLURM_ARRAY_TASK_MIN", "0"), "SLURM_ARRAY_TASK_MIN")
        step = max(1, _number(env.get("SLURM_ARRAY_TASK_STEP", "1"), "SLURM_ARRAY_TASK_STEP"))
        if count is not None:
            total = count
        elif "SLURM_ARRAY_TASK_COUNT" in env:
            total = _number(env["SLURM_ARRAY_TASK_COUNT"], "SLURM_ARRAY_TASK_COUNT")
        elif "SLURM_ARRAY_TASK_MAX" in env:
            total = (_number(env["SLURM_ARRAY_TASK_MAX"], "SLURM_ARRAY_TASK_MAX") - low) // step + 1
        else:
            raise ShardProblem(tr("{id} is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX: "
                                  "pass --shard-count N", "设置了 {id}，但没有 SLURM_ARRAY_TASK_COUNT 或 "
                                  "SLURM_ARRAY_TASK_MAX：请传入 --shard-count N", id=SLURM_ID))
        offset = _number(env[SLURM_ID], SLURM_ID) - low
        if offset % step:
            raise ShardProblem(tr("{id} {value} is not on the array's steps (min {low}, step {step})",
                                  "{id} {value} 不在作业数组的步长上（最小值 {low}，步长 {step}）",
                                  id=SLURM_ID, value=env[SLURM_ID], low=low, step=step))
        return _checked(offset // step, total, "SLURM")
    if K8S_INDEX in env:
        total = count if count is not None else env.get(COUNT_ENV)
        if total is None:
            raise ShardProblem(tr("{index} is set (a Kubernetes Indexed Job) but not the number of shards: pass "
                                  "--shard-count N or set {count} to the Job's completions",
                                  "设置了 {index}（Kubernetes 的 Indexed Job），但没有分片数：请传入 --shard-count N，"
                                  "或把 {count} 设为该 Job 的 completions", index=K8S_INDEX, count=COUNT_ENV))
        return _checked(_number(env[K8S_INDEX], K8S_INDEX), _number(total, COUNT_ENV), "Kubernetes")
    raise ShardProblem(tr("--shard auto: no engine told this run its shard: none of {index} (with {count}), "
                          "{slurm} (a SLURM job array) or {k8s} (a Kubernetes Indexed Job) is set; "
                          "give --shard K/N instead",
                          "--shard auto：没有哪个调度系统告诉本次运行它是第几个分片：{index}（及 {count}）、"
                          "{slurm}（SLURM 作业数组）和 {k8s}（Kubernetes Indexed Job）都没有设置；请改用 --shard K/N",
                          index=INDEX_ENV, count=COUNT_ENV, slurm=SLURM_ID, k8s=K8S_INDEX))
