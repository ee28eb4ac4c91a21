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


class KataSession:
    """State of one grading session; exists only under ``--kata``/``--kata-list``."""

    def __init__(self, config: pytest.Config, registry: Registry, opts: Settings) -> None:
        self.config = config
        self.registry = registry
        self.settings = opts
        self._backend: Any = None
        if opts.isolate and opts.katas:
            # Start the worker first: it imports torch and the checks while we do the same.
            self.backend.start(preload=[registry.module_name(n) for n in opts.katas])
        self.katas: list[Kata] = [registry.get(name) for name in opts.katas]
        self.checks: dict[str, CheckResult] = {}
        self.data: dict[str, dict[str, Any]] = {}
        self.breakpoints: list[str] = []
        self.results: SessionResult | None = None
        self.started = time.monotonic()

    @property
    def backend(self) -> Any:
        if self._backend is None:
            if self.settings.isolate:
                from pytest_torchkata.sandbox.worker import WorkerPool

                self._backend = WorkerPool()
            else:
                from pytest_torchkata.sandbox.inprocess import InProcessBackend

                self._backend = InProcessBackend()
        return self._backend

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
        warnings = []
        for where in dict.fromkeys(self.breakpoints):
            warnings.append(f"a breakpoint() at {where} was skipped while grading; "
                            f"to stop there, run pytest with -s")
        self.results = SessionResult(
            score=round(sum(k.score for k in graded), 2),
            seconds=round(time.monotonic() - self.started, 2),
            max_score=round(sum(k.max_score for k in graded), 2),
            katas=graded, seed=self.settings.seed, isolated=self.settings.isolate,
            devices=self.devices(), torch_version=torch.__version__, tool_version=__version__,
            warnings=warnings, language=self.settings.lang,
        )
        return self.results
