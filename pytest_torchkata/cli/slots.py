"""One sandboxed worker per job slot of ``torchkata grade``, shared by the submissions graded
in that slot one after another, so torch is imported in the sandbox once per slot, not once
per submission.

Only at the ``bwrap`` level, where the worker is walled off in namespaces of its own.  Each
slot has one work folder, bound read-only into its worker: a submission's kata files are laid
out there while it is graded and removed before the next one comes, so learner code only ever
sees the submission being graded.  Every task still runs in a fresh process forked from the
worker's zygote; between submissions the zygote ends the last one and empties its private
``/tmp`` and scratch folder, and this process empties them too.  A worker that a submission
left out of step (it was stopped, or did not answer the end of the run) is killed and a new
one started for the next submission.
"""

from __future__ import annotations

import os
from pathlib import Path

from pytest_torchkata.sandbox.levels import empty_folder

SANDBOX_FLAG = "--kata-sandbox"


def requested_level(passthrough: list[str]) -> str:
    """The --kata-sandbox a grading run will use (flag, else TORCHKATA_SANDBOX, else auto)."""
    value = os.environ.get("TORCHKATA_SANDBOX", "auto")
    for i, token in enumerate(passthrough):
        if token.startswith(SANDBOX_FLAG + "="):
            value = token.split("=", 1)[1]
        elif token == SANDBOX_FLAG and i + 1 < len(passthrough):
            value = passthrough[i + 1]
    return value.strip().lower()


class Slots:
    """``jobs`` work folders and, at the bwrap level, a shared worker for each."""

    def __init__(self, base: Path, jobs: int, names: list[str], passthrough: list[str]) -> None:
        from pytest_torchkata.sandbox.levels import LevelUnavailable, choose

        self.folders = [base / f"slot{k}" for k in range(max(1, jobs))]
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
        self.free = list(range(len(self.folders)))
        try:
            self.shared = choose(requested_level(passthrough)) == "bwrap"
        except LevelUnavailable:
            self.shared = False  # each grading run says why itself
        from pytest_torchkata.sandbox.levels import learner_side

        self.preload = learner_side([f"pytest_torchkata.katas.{name}" for name in names])
        self.workers: list = [None] * len(self.folders)

    def take(self) -> int:
        """A free slot, its worker started (or kept) and offered to the next forked run."""
        k = self.free.pop(0)
        if self.shared:
            from pytest_torchkata.sandbox import worker

            current = self.workers[k]
            if current is None or not current.alive():
                self._drop(k)
                current = self.workers[k] = self._start(k)
            worker.SHARED, worker.SHARED_IN_STEP = current, False
        return k

    def _start(self, k: int):
        from pytest_torchkata.sandbox import levels, worker

        visible = (levels.python_visible() + levels.module_files(self.preload)
                   + [str(self.folders[k]), str(levels.data_views_root())])
        plan = levels.Plan.make("bwrap", visible)
        started = worker.Worker(plan, self.preload, None, show_from=str(self.folders[k]), shared=True)
        if not started.wait_ready():
            started.close()
            plan.close()
            return None
        return started

    def forked(self) -> None:
        """In this process once the run is forked: the offer is the child's alone."""
        if self.shared:
            from pytest_torchkata.sandbox import worker

            worker.SHARED = None

    def give_back(self, k: int, in_step: bool) -> None:
        """The run in slot ``k`` ended; ``in_step``: it gave the worker back answering."""
        if not in_step:
            self._drop(k)
        empty_folder(self.folders[k])
        current = self.workers[k]
        if current is not None:
            empty_folder(current.plan.scratch)
        self.free.append(k)

    def _drop(self, k: int) -> None:
        current, self.workers[k] = self.workers[k], None
        if current is not None:
            current.close()
            current.plan.close()

    def close(self) -> None:
        for k in range(len(self.folders)):
            self._drop(k)
