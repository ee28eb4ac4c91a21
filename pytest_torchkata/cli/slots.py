"""The job slots of ``torchkata grade``: one work folder per slot, where a submission's kata
files are laid out while it is graded and removed before the next one comes.

Each submission's grading run starts a sandboxed worker of its own (``sandbox.worker``):
fresh namespaces at the ``bwrap`` level (its private ``/tmp``, ``/dev/shm``, IPC objects and
process tree die with it), a fresh scratch folder and, at the ``user`` level, a uid no other
process has.  Nothing a submission leaves behind (files, shared memory, a pipe out of step,
threads, a traced process) can reach the next one.  Sharing one worker per slot saved a torch
import per submission, but no reset of a shared worker can be shown to cover every place a
hostile submission may write to; README "Performance" gives the cost of this choice.
"""

from __future__ import annotations

from pathlib import Path

from pytest_torchkata.sandbox.levels import empty_folder


class Slots:
    """``jobs`` work folders, each used by one submission at a time."""

    def __init__(self, base: Path, jobs: int) -> None:
        self.folders = [base / f"slot{k}" for k in range(max(1, jobs))]
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
        self.free = list(range(len(self.folders)))

    def take(self) -> int:
        return self.free.pop(0)

    def give_back(self, k: int) -> None:
        """The run in slot ``k`` ended: its folder is emptied for the next submission."""
        empty_folder(self.folders[k])
        self.free.append(k)
