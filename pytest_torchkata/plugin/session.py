"""One grading session (``KataSession``): its state, and the plugin whose methods are the
hooks of a grading run (as pytest-xdist's session object is).  Registered in
``pytest_configure`` only under ``--kata``/``--kata-list`` (so a plain pytest run never
meets these hooks), and stashed on the config under ``SESSION_KEY`` for the ``kata``
fixture."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from pytest_torchkata import __version__
from pytest_torchkata.i18n import tr
from pytest_torchkata.model import MARKER, Kata
from pytest_torchkata.plugin.notebooks import KataSource, find_source
from pytest_torchkata.plugin.debugger import breakpoint_warnings
from pytest_torchkata.plugin.notrun import Explained, unreached_reason
from pytest_torchkata.plugin.outcomes import check_outcome
from pytest_torchkata.plugin.selection import task_numbers
from pytest_torchkata.plugin.options import Settings
from pytest_torchkata.registry import KataRegistry
from pytest_torchkata.reports.header import HeaderFacts, header_lines
from pytest_torchkata.reports.progress import list_lines
from pytest_torchkata.reports.results import CheckResult, SessionResult, grade_kata
from pytest_torchkata.reports.summary import write_summary
from pytest_torchkata.status import Status

SESSION_KEY = pytest.StashKey["KataSession"]()
DEVICE_CHOICES = {"auto": ["cpu", "cuda"], "cpu": ["cpu"], "cuda": ["cuda"]}
NO_CUDA = "no CUDA device here (torch.cuda.is_available() is False); CUDA cases run on a machine with a GPU"
NO_CUDA_ZH = "这里没有 CUDA 设备（torch.cuda.is_available() 为 False）；CUDA 用例要在有 GPU 的机器上运行"

class KataSession:
    """State of one grading session, and its hooks; exists only under ``--kata``/``--kata-list``."""

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

    def header_facts(self) -> HeaderFacts:
        """What the header says, gathered from torch, the sandbox and the options."""
        import torch

        from pytest_torchkata.cli.workspace import checkout_note
        from pytest_torchkata.plugin.access import seed_digest

        opts = self.settings
        facts = HeaderFacts(version=__version__, katas=[k.name for k in self.katas], kata_dir=str(opts.kata_dir),
                            devices=self.devices(), seed=opts.seed, digest=seed_digest(opts.seed),
                            torch_version=torch.__version__, isolate=opts.isolate, level=self.sandbox,
                            cuda_build=bool(torch.version.cuda), cuda_available=torch.cuda.is_available())
        if opts.isolate:
            from pytest_torchkata.sandbox.levels import SUMMARY, WEAK_NOTE, private_python
            from pytest_torchkata.sandbox.limits import container_memory_mb

            facts.level_summary = SUMMARY[self.sandbox].format(uid=tr("of its own", "（独立的）"))
            facts.private_python = private_python() or ""
            facts.weak_note = WEAK_NOTE
            facts.memory_mb = container_memory_mb()
        note = checkout_note(opts.kata_dir)
        facts.notes = [note] if note else []
        return facts

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

    # -- the hooks of a grading run ----------------------------------------------------

    @pytest.hookimpl
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.close()

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        return True if self.settings.list_only else None  # nothing to collect: --kata-list only prints

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path, parent: Any) -> Any:
        """Name a kata's checks after the kata ("tensors::TestSoftmax::test_..."): their file
        lies in the installed package, usually outside the rootdir."""
        for kata_obj in self.katas:
            if Path(kata_obj.checks_file) == Path(module_path):
                return pytest.Module.from_parent(parent, path=module_path, nodeid=kata_obj.name)
        return None

    @pytest.hookimpl(trylast=True)  # called last, shown first: above the other plugins' lines
    def pytest_report_header(self, config: pytest.Config) -> list[str] | None:
        if self.settings.list_only:
            return None
        return header_lines(self.header_facts(), getattr(config.get_terminal_writer(), "fullwidth", 80))

    @pytest.hookimpl(tryfirst=True)  # before -k deselects anything
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Let ``-k`` match a check by its task's id, number and title in both languages
        (``-k softmax``, ``-k permute``), not only by the class name; a ``-k`` made of task
        numbers alone (``-k 1``, ``-k "1 or 3"``) selects exactly those tasks."""
        self.remember(items)
        numbers: dict[str, int] = {}
        for item in items:
            marker = item.get_closest_marker(MARKER)
            if marker is None:
                continue
            task = self.registry.get(marker.args[0]).get_task(marker.args[1])
            numbers[item.nodeid] = task.number
            titles = ([task.title_text.en, task.title_text.zh] if hasattr(task.title_text, "zh")
                      else [str(task.title_text)])
            item.extra_keyword_matches.update({task.id, f"task{task.number}", *filter(None, titles)})
        wanted = task_numbers(config.getoption("keyword") or "")
        if wanted is None:
            return
        # a digit would also match inside check names ("..._dim_1", "..._1000"): select here, exactly
        keep = [item for item in items if item.nodeid in numbers and wanted(numbers[item.nodeid])]
        dropped = [item for item in items if item not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep
        config.option.keyword = ""  # done: pytest's own -k would match the digits anywhere

    @pytest.hookimpl
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "device" not in metafunc.fixturenames:
            return
        import torch

        params = [
            pytest.param(d, marks=pytest.mark.skip(reason=tr(NO_CUDA, NO_CUDA_ZH)))
            if d == "cuda" and not torch.cuda.is_available() else d
            for d in DEVICE_CHOICES[self.settings.device]
        ]
        metafunc.parametrize("device", params)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
        outcome = yield
        marker = item.get_closest_marker(MARKER)
        if marker is None or item.nodeid in self.checks:
            return
        report = outcome.get_result()
        if report.sections:  # what learner code printed: no control sequence reaches the terminal
            from pytest_torchkata.reports.encode import for_terminal

            report.sections = [(title, for_terminal(text)) for title, text in report.sections]
        task = self.registry.get(marker.args[0]).get_task(marker.args[1])
        found = check_outcome(task, item.name, str(item.path), call, report,
                              full_tracebacks=item.config.getoption("tbstyle") in ("long", "native"),
                              learner=self.keeps_progress)
        if found is None:
            return
        self.checks[item.nodeid] = found.result
        if found.skip:
            report.outcome = "skipped"
        if found.longrepr is not None:
            report.longrepr = found.longrepr
        exc = call.excinfo.value if call.excinfo is not None else None
        if getattr(exc, "load_failure", False):
            # the whole file could not be loaded: one failure block per kata, not one per check
            kata_name = marker.args[0]
            if self.load_failures.get(kata_name) == found.result.message:
                report.outcome = "skipped"
                report.longrepr = (str(item.path), 0, tr("same cause as above: {message}",
                                                         "原因同上：{message}", message=found.result.message))
            else:
                self.load_failures[kata_name] = found.result.message

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.settings.list_only:
            session.exitstatus = pytest.ExitCode.OK
            return
        self.close()  # every learner process is gone before the report is written
        results = self.finish(list(session.items), failures=session.testsfailed if session.shouldfail else 0,
                              stop=session.shouldstop)
        stopping = session.config.getoption("capture") == "no" and not self.settings.isolate
        results.warnings.extend(breakpoint_warnings([self.path_for(k) for k in self.katas], self.breakpoints,
                                                    stopping, learner=self.keeps_progress))
        session.config.hook.pytest_torchkata_results(config=session.config, results=results)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = (pytest.ExitCode.OK if results.score >= results.max_score
                                  else pytest.ExitCode.TESTS_FAILED)

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        columns = getattr(config.get_terminal_writer(), "fullwidth", 80)
        if self.settings.list_only:
            from pytest_torchkata.reports import progress

            katas = [self.registry.get(n) for n in (self.settings.katas or self.registry.names())]
            for line in list_lines(katas, progress.load(self.settings.kata_dir), self.settings.kata_dir):
                terminalreporter.write_line(line)
            return
        if self.results is not None:
            following = {n: self.registry.next_kata(n) or "" for n in self.registry.names()}
            # no progress kept: not a learner's own workspace (torchkata grade, Gradescope), so the
            # summary leaves out what to do next there (the next task, `torchkata hint`, the next kata)
            write_summary(terminalreporter, self.results, following, columns=columns, learner=self.keeps_progress)
