"""The state of one grading session (``KataSession``), registered in
``pytest_configure`` only under ``--kata``/``--kata-list``, and stashed on the
config under ``SESSION_KEY``."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_torchkata import __version__
from pytest_torchkata.model import MARKER, Kata
from pytest_torchkata.plugin.notebooks import KataSource, find_source
from pytest_torchkata.plugin.notrun import Explained, unreached_reason
from pytest_torchkata.plugin.options import Settings
from pytest_torchkata.registry import KataRegistry
from pytest_torchkata.reports.results import CheckResult, SessionResult, grade_kata
from pytest_torchkata.status import Status

SESSION_KEY = pytest.StashKey["KataSession"]()
DEVICE_CHOICES = {"auto": ["cpu", "cuda"], "cpu": ["cpu"], "cuda": ["cuda"]}
NO_CUDA = "no CUDA device here (torch.cuda.is_available() is False); CUDA cases run on a machine with a GPU"
NO_CUDA_ZH = "这里没有 CUDA 设备（torch.cuda.is_available() 为 False）；CUDA 用例要在有 GPU 的机器上运行"
# What a whole isolated run needs (the grader and the worker each import torch), measured by
# benchmarks/bench_sandbox.py cgroup with half a CPU: the CPU-only build gets full marks in 640 MB
# (not in 560), the CUDA build, whose import alone holds about 290 MB in each process, in 896 MB
# and 1024 MB (in 768 MB it thrashes for minutes).
NEEDS_MB = {"cpu": 640, "cuda": 1024}
CPU_TORCH = "pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu"


class KataSession:
    """State of one grading session; exists only under ``--kata``/``--kata-list``."""

    def __init__(self, config: pytest.Config, registry: KataRegistry, opts: Settings) -> None:
        self.config = config
        self.registry = registry
        self.settings = opts
        self._backend: Any = None
        self.sandbox = "in-process"
        self._generated: Path | None = None  # where notebooks' generated kata files go
        # each kata's learner file, before any worker starts: the sandbox must see them
        self.sources = {name: find_source(opts.kata_dir, name, self._generated_folder) for name in opts.katas}
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
        # every check collected, before -k: nodeid -> (kata, task id, check name)
        self.collected: dict[str, tuple[str, str, str]] = {}
        self.deselected: set[str] = set()
        self.interrupted: BaseException | None = None  # Ctrl+C or pytest.exit (a debugger quit)
        self.notes: list[str] = [note for source in self.sources.values() for note in source.notes]
        self.keeps_progress = True  # False under ``-p no:torchkata-progress`` (torchkata grade)
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
            self._backend = Explained(Bounded(backend, self.settings.budget), self.task_number)
        return self._backend

    def task_number(self, key: str) -> Any:
        """The number of the task a request names ("kata:task_id")."""
        kata_name, _, task_id = key.partition(":")
        try:
            return self.registry.get(kata_name).get_task(task_id).number
        except (KeyError, LookupError, ValueError):
            return key

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
        if self._generated is not None:
            shown.append(str(self._generated))
        from pytest_torchkata.sandbox.levels import data_views_root

        return shown + [str(data_views_root())]

    def sandbox_line(self) -> str:
        """How learner code is walled off, for the header."""
        from pytest_torchkata.i18n import tr

        if not self.settings.isolate:
            # for learners checking themselves (the README's security model)
            return tr("in-process", "在评分进程内运行")
        from pytest_torchkata.sandbox.levels import SUMMARY, WEAK_NOTE, private_python

        line = tr("isolated worker process, sandbox {level}", "隔离的工作进程，沙箱 {level}",
                  level=SUMMARY[self.sandbox].format(uid=tr("of its own", "（独立的）")))
        if self.sandbox == "user" and private_python():
            line += tr("; note: {path} is private, so learner code can import only what was loaded before it ran",
                       "；注意：{path} 是私有的，学习者代码只能导入它运行之前已经加载的模块", path=private_python())
        return line + (tr("; WARNING: {note}", "；警告：{note}", note=WEAK_NOTE) if self.sandbox == "none" else "")

    def memory_line(self, limit_mb: float | None = None) -> str | None:
        """A warning for the header when the container's memory is too small for this torch."""
        if not self.settings.isolate:
            return None
        import torch

        from pytest_torchkata.i18n import tr
        from pytest_torchkata.sandbox.limits import container_memory_mb

        limit_mb = container_memory_mb() if limit_mb is None else limit_mb
        build = "cuda" if torch.version.cuda else "cpu"
        if limit_mb is None or limit_mb >= NEEDS_MB[build]:
            return None
        if build == "cuda" and not torch.cuda.is_available():
            return tr("torchkata: WARNING: this container allows {mb:.0f} MB, but an isolated run with this "
                      "CUDA build of torch needs about {need} MB, so tasks may be killed for memory; the "
                      "CPU-only build needs about {cpu} MB: {cmd}",
                      "torchkata：警告：这个容器只允许 {mb:.0f} MB，而用这个 CUDA 版 torch 隔离运行约需 {need} MB，"
                      "任务可能因内存不足被杀掉；纯 CPU 版约需 {cpu} MB：{cmd}",
                      mb=limit_mb, need=NEEDS_MB["cuda"], cpu=NEEDS_MB["cpu"], cmd=CPU_TORCH)
        return tr("torchkata: WARNING: this container allows {mb:.0f} MB, but an isolated run needs about {need} MB "
                  "(the grader and the worker each load torch), so tasks may be killed for memory",
                  "torchkata：警告：这个容器只允许 {mb:.0f} MB，而隔离运行约需 {need} MB（评分进程和工作进程"
                  "各自加载 torch），任务可能因内存不足被杀掉",
                  mb=limit_mb, need=NEEDS_MB[build])

    @pytest.hookimpl
    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected.update(item.nodeid for item in items)

    @pytest.hookimpl
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        """Ctrl+C or ``pytest.exit`` (a debugger quit): the checks not reached say so."""
        self.interrupted = excinfo.value

    def remember(self, items: list[pytest.Item]) -> None:
        """Note every kata check collected (called before ``-k`` deselects any)."""
        for item in items:
            marker = item.get_closest_marker(MARKER)
            if marker is not None:
                self.collected[item.nodeid] = (marker.args[0], marker.args[1], item.name)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        if self._generated is not None:
            shutil.rmtree(self._generated, ignore_errors=True)

    def _generated_folder(self) -> Path:
        if self._generated is None:
            self._generated = Path(tempfile.mkdtemp(prefix="torchkata-notebooks-"))
        return self._generated

    def source_for(self, kata: Kata) -> KataSource:
        """The kata's learner file: ``NAME.py``, or ``NAME.ipynb`` converted (``plugin.notebooks``)."""
        if kata.name not in self.sources:
            self.sources[kata.name] = find_source(self.settings.kata_dir, kata.name, self._generated_folder)
        return self.sources[kata.name]

    def path_for(self, kata: Kata) -> Path:
        """Where the kata's learner code is loaded from."""
        return self.source_for(kata).path

    def devices(self) -> list[str]:
        """The devices checks run on here (for the header and the report)."""
        import torch

        want = DEVICE_CHOICES[self.settings.device]
        return [d for d in want if d == "cpu" or torch.cuda.is_available()] or want[:1]

    def finish(self, items: list[pytest.Item], failures: int = 0, stop: str | bool = False) -> SessionResult:
        """The session's result.  ``failures``: the failures that stopped the run (``-x``,
        ``--maxfail``), ``stop``: pytest's other reason to stop early; a check that never ran
        says why (``notrun.unreached_reason``)."""
        import torch

        if not self.collected:
            self.remember(items)
        by_task: dict[str, dict[str, list[CheckResult]]] = {}
        for nodeid, (kata_name, task_id, name) in self.collected.items():
            found = self.checks.get(nodeid)
            if found is None:
                reason = unreached_reason(nodeid in self.deselected, self.interrupted, failures, stop)
                found = CheckResult(name, Status.SKIPPED, reason, ran=False)
            by_task.setdefault(kata_name, {}).setdefault(task_id, []).append(found)
        graded = [grade_kata(k, by_task.get(k.name, {}), self.data.get(k.name, {})) for k in self.katas]
        from pytest_torchkata.reports import progress

        seen: dict = {}
        if self.keeps_progress:
            seen, note = progress.read(self.settings.kata_dir)
            if note:
                self.notes.append(note)
        for kata_result in graded:
            for task_result in kata_result.tasks:
                task_result.hints_used = progress.hints_seen(seen, kata_result.name, task_result.id)
        from pytest_torchkata.plugin.access import seed_digest

        self.results = SessionResult(
            score=round(sum(k.score for k in graded), 2),
            seconds=round(time.monotonic() - self.started, 2),
            max_score=round(sum(k.max_score for k in graded), 2),
            katas=graded, seed=self.settings.seed, isolated=self.settings.isolate,
            devices=self.devices(), torch_version=torch.__version__, tool_version=__version__,
            warnings=list(self.notes), language=self.settings.lang, sandbox=self.sandbox,
            seed_digest=seed_digest(self.settings.seed),
        )
        return self.results
