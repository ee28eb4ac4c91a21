"""The state of one grading session (``KataSession``), registered in
``pytest_configure`` only under ``--kata``/``--kata-list``, and stashed on the
config under ``SESSION_KEY``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from pytest_torchkata import __version__
from pytest_torchkata.model import MARKER, Kata, Registry
from pytest_torchkata.plugin.options import Settings
from pytest_torchkata.reports.results import CheckResult, SessionResult, grade_kata

SESSION_KEY = pytest.StashKey["KataSession"]()
DEVICE_CHOICES = {"auto": ["cpu", "cuda"], "cpu": ["cpu"], "cuda": ["cuda"]}
NO_CUDA = "no CUDA device here (torch.cuda.is_available() is False); CUDA cases run on a machine with a GPU"
NO_CUDA_ZH = "这里没有 CUDA 设备（torch.cuda.is_available() 为 False）；CUDA 用例要在有 GPU 的机器上运行"


class KataSession:
    """State of one grading session; exists only under ``--kata``/``--kata-list``."""

    def __init__(self, config: pytest.Config, registry: Registry, opts: Settings) -> None:
        self.config = config
        self.registry = registry
        self.settings = opts
        self._backend: Any = None
        self.sandbox = "in-process"
        if opts.isolate:
            from pytest_torchkata.sandbox.levels import LevelUnavailable, choose

            try:
                self.sandbox = choose(opts.sandbox)
            except LevelUnavailable as exc:
                raise pytest.UsageError(str(exc)) from None
        if opts.isolate and opts.katas:
            # Start the worker first: it imports torch and the checks while we do the same.
            from pytest_torchkata.sandbox.levels import learner_side

            self.backend.start(preload=learner_side([registry.module_name(n) for n in opts.katas]))
        self.katas: list[Kata] = [registry.get(name) for name in opts.katas]
        self.checks: dict[str, CheckResult] = {}
        self.data: dict[str, dict[str, Any]] = {}
        self.breakpoints: list[str] = []
        self.load_failures: dict[str, str] = {}  # kata -> the message of its file's load failure
        self.results: SessionResult | None = None
        self.started = time.monotonic()

    @property
    def backend(self) -> Any:
        if self._backend is None:
            from pytest_torchkata.sandbox.limits import Bounded

            if self.settings.isolate:
                from pytest_torchkata.sandbox.worker import WorkerPool

                backend: Any = WorkerPool(self.sandbox, self.settings.memory, self.visible())
            else:
                from pytest_torchkata.sandbox.inprocess import InProcessBackend

                backend = InProcessBackend()
            self._backend = Bounded(backend, self.settings.budget)
        return self._backend

    def visible(self) -> list[str]:
        """What learner code may read in the bwrap sandbox: the kata files (their folder when
        the report is elsewhere) and
        the folder where katas put the learner's views of data sets (``data_views_root``: a
        training split only), never the grader's data folder, where held-out labels live."""
        opts = self.settings
        report = opts.report
        if report is not None and opts.kata_dir in report.parents:
            shown = [str(opts.kata_dir / f"{name}.py") for name in opts.katas]
        else:
            shown = [str(opts.kata_dir)]
        from pytest_torchkata.sandbox.levels import data_views_root

        return shown + [str(data_views_root())]

    def sandbox_line(self) -> str:
        """How learner code is walled off, for the header."""
        if not self.settings.isolate:
            return "in-process"  # for learners checking themselves (the README's security model)
        from pytest_torchkata.sandbox.levels import SUMMARY, WEAK_NOTE

        from pytest_torchkata.sandbox.levels import private_python

        line = "isolated worker process, sandbox " + SUMMARY[self.sandbox].format(uid="of its own")
        if self.sandbox == "user" and private_python():
            line += (f"; note: {private_python()} is private, so learner code can import only "
                     f"what was loaded before it ran")
        return line + ("; WARNING: " + WEAK_NOTE if self.sandbox == "none" else "")

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()

    def path_for(self, kata: Kata) -> Path:
        return self.settings.kata_dir / f"{kata.name}.py"

    def devices(self) -> list[str]:
        """The devices checks run on here (for the header and the report)."""
        import torch

        want = DEVICE_CHOICES[self.settings.device]
        return [d for d in want if d == "cpu" or torch.cuda.is_available()] or want[:1]

    def finish(self, items: list[pytest.Item]) -> SessionResult:
        import torch

        by_task: dict[str, dict[str, list[CheckResult]]] = {}
        for item in items:
            marker = item.get_closest_marker(MARKER)
            if marker is None or item.nodeid not in self.checks:
                continue
            kata_name, task_id = marker.args[:2]
            by_task.setdefault(kata_name, {}).setdefault(task_id, []).append(self.checks[item.nodeid])
        graded = [grade_kata(k, by_task.get(k.name, {}), self.data.get(k.name, {})) for k in self.katas]
        from pytest_torchkata.reports import progress

        seen = progress.load(self.settings.kata_dir)
        for kata_result in graded:
            for task_result in kata_result.tasks:
                task_result.hints_used = progress.hints_seen(seen, kata_result.name, task_result.id)
        self.results = SessionResult(
            score=round(sum(k.score for k in graded), 2),
            seconds=round(time.monotonic() - self.started, 2),
            max_score=round(sum(k.max_score for k in graded), 2),
            katas=graded, seed=self.settings.seed, isolated=self.settings.isolate,
            devices=self.devices(), torch_version=torch.__version__, tool_version=__version__,
            warnings=[], language=self.settings.lang, sandbox=self.sandbox,
        )
        return self.results
