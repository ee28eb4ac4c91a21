"""The pytest plugin: options, collection of the checks, the ``kata`` fixture,
outcomes to grades, the header and the summary.

Without ``--kata`` (or ``--kata-list``) it only adds its options: torch is not
imported and no test is touched.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path
from typing import Any, Iterator

import pytest

from pytest_torchkata import __version__, hookspecs
from pytest_torchkata.errors import KataOutcome, NotStarted
from pytest_torchkata.grading import CheckResult, SessionResult, grade_kata
from pytest_torchkata.model import MARKER, Kata, Registry
from pytest_torchkata.options import Settings, add_options, settings
from pytest_torchkata.report import FileReporter, ProgressStore, list_lines, write_summary

SESSION_KEY = pytest.StashKey["KataSession"]()
DEVICE_CHOICES = {"auto": ["cpu", "cuda"], "cpu": ["cpu"], "cuda": ["cuda"]}
NO_CUDA = "no CUDA device here (torch.cuda.is_available() is False); CUDA cases run on a machine with a GPU"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl
def pytest_torchkata_register_katas(register: Any) -> None:
    from pytest_torchkata.katas import CURRICULUM

    for name in CURRICULUM:
        register(f"pytest_torchkata.katas.{name}")


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

    @property
    def backend(self) -> Any:
        if self._backend is None:
            if self.settings.isolate:
                from pytest_torchkata.worker import WorkerPool

                self._backend = WorkerPool()
            else:
                from pytest_torchkata.access import InProcessBackend

                self._backend = InProcessBackend()
        return self._backend

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
            max_score=round(sum(k.max_score for k in graded), 2),
            katas=graded, seed=self.settings.seed, isolated=self.settings.isolate,
            devices=self.devices(), torch_version=torch.__version__, tool_version=__version__,
            warnings=warnings,
        )
        return self.results


def _registry(config: pytest.Config) -> Registry:
    registry = Registry()
    config.hook.pytest_torchkata_register_katas(register=registry.register)
    return registry


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(kata, task): the kata task a check belongs to")
    opts = settings(config)
    if not opts.active:
        return
    registry = _registry(config)
    opts = settings(config, registry.names())
    if opts.katas and not opts.list_only and not opts.kata_dir.is_dir():
        raise pytest.UsageError(
            f"there is no kata folder at {opts.kata_dir}. Get the learner files with "
            f"`torchkata init` (it makes ./katas), or point --kata-dir at your folder."
        )
    if opts.isolate:
        _refuse_kata_dir_conftest(config, opts.kata_dir)
    session = KataSession(config, registry, opts)
    config.stash[SESSION_KEY] = session
    # torch's many long-lived objects make every later gc pass slow; leave them out of it
    import gc

    gc.freeze()
    if opts.report:
        config.pluginmanager.register(FileReporter(opts.report, opts.report_format), "torchkata-report")
    config.pluginmanager.register(ProgressStore(opts.kata_dir), "torchkata-progress")
    # Grade with the checks shipped in the package, never with files from the kata folder.
    config.args[:] = [k.checks_file for k in session.katas]


def _refuse_kata_dir_conftest(config: pytest.Config, kata_dir: Path) -> None:
    for plugin in config.pluginmanager.get_plugins():
        source = getattr(plugin, "__file__", None)
        if source and Path(source).name == "conftest.py" and Path(source).resolve().parent == kata_dir:
            raise pytest.UsageError(
                f"{source} was loaded: a conftest.py in the kata folder runs learner code inside "
                f"the grader. Run pytest from outside the kata folder under --kata-isolate."
            )


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None and session._backend is not None:
        session._backend.close()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> bool | None:
    ks = session.config.stash.get(SESSION_KEY, None)
    if ks is not None and ks.settings.list_only:
        return True  # nothing to collect: --kata-list only prints
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: Any) -> Any:
    """Name a kata's checks after the kata ("tensors::TestSoftmax::test_..."): their file
    lies in the installed package, usually outside the rootdir."""
    ks = parent.config.stash.get(SESSION_KEY, None)
    if ks is None:
        return None
    for kata in ks.katas:
        if Path(kata.checks_file) == Path(module_path):
            return pytest.Module.from_parent(parent, path=module_path, nodeid=kata.name)
    return None


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    ks = config.stash.get(SESSION_KEY, None)
    if ks is None or ks.settings.list_only:
        return None
    import torch

    devices = ks.devices()
    cuda = "" if "cuda" in devices else " (no CUDA device: CUDA cases are skipped)"
    mode = "isolated worker process" if ks.settings.isolate else "in-process"
    return [
        f"torchkata {__version__}: katas {', '.join(k.name for k in ks.katas)} from {ks.settings.kata_dir}",
        f"torchkata: device {', '.join(devices)}{cuda}; seed {ks.settings.seed}; "
        f"torch {torch.__version__}; {mode}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    ks = metafunc.config.stash.get(SESSION_KEY, None)
    if ks is None or "device" not in metafunc.fixturenames:
        return
    import torch

    params = [
        pytest.param(d, marks=pytest.mark.skip(reason=NO_CUDA))
        if d == "cuda" and not torch.cuda.is_available() else d
        for d in DEVICE_CHOICES[ks.settings.device]
    ]
    metafunc.parametrize("device", params)


@pytest.fixture
def kata(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Access to the learner's kata file: ``kata.call(name, *args)`` and
    ``kata.run(helper, *args)``, both returning plain data."""
    from pytest_torchkata.access import KataAccess, derive_seed
    from pytest_torchkata.errors import LearnerCrashed

    ks: KataSession | None = request.config.stash.get(SESSION_KEY, None)
    marker = request.node.get_closest_marker(MARKER)
    if ks is None or marker is None:
        pytest.skip("the kata fixture works only in checks graded with --kata")
    kata_obj = ks.registry.get(marker.args[0])
    task = kata_obj.get_task(marker.args[1])
    path = ks.path_for(kata_obj)
    if not path.is_file():
        raise LearnerCrashed(f"there is no learner file {path}; get a fresh one with "
                             f"`torchkata init {path.parent}`")
    seed = derive_seed(ks.settings.seed, request.node.nodeid)
    from pytest_torchkata.learner import seed_everything

    seed_everything(seed)  # the check's own random inputs
    access = KataAccess(backend=ks.backend, kata=kata_obj, task=task, path=path, seed=seed,
                        timeout=ks.settings.timeout_for(task.timeout),
                        # -s in-process: a breakpoint() in learner code really stops there
                        debug=request.config.getoption("capture") == "no" and not ks.settings.isolate,
                        data_dir=str(ks.settings.data_dir))
    yield access
    ks.breakpoints.extend(access.breakpoints)
    if access.records:
        ks.data.setdefault(kata_obj.name, {}).setdefault(task.id, {}).update(access.records)


@pytest.fixture
def device(request: pytest.FixtureRequest) -> str:
    """The device a check runs on: 'cpu', and 'cuda' where there is one."""
    return getattr(request, "param", "cpu")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    ks = item.config.stash.get(SESSION_KEY, None)
    marker = item.get_closest_marker(MARKER)
    if ks is None or marker is None or item.nodeid in ks.checks:
        return
    if call.when == "teardown" or (call.when == "setup" and report.passed):
        return
    task = ks.registry.get(marker.args[0]).get_task(marker.args[1])
    name = item.name
    if report.passed:
        ks.checks[item.nodeid] = CheckResult(name, "passed")
        return
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        ks.checks[item.nodeid] = CheckResult(name, "skipped", reason.replace("Skipped: ", ""))
        return
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, NotStarted):
        ks.checks[item.nodeid] = CheckResult(name, "not_started", exc.message, where=exc.where)
        path, lineno = str(item.path), 0
        report.outcome = "skipped"
        report.longrepr = (path, lineno, f"not started: {task.label}")
        return
    if isinstance(exc, KataOutcome):
        result = CheckResult(name, exc.status, exc.message, exc.hint, exc.where)
    else:
        text = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error"
        result = CheckResult(name, "error", f"the check itself crashed ({text}); "
                                            f"this is a bug in the grader, please report it")
        if item.config.getoption("tbstyle") in ("long", "native"):
            ks.checks[item.nodeid] = result
            return
    ks.checks[item.nodeid] = result
    report.longrepr = _failure_text(task, result)


def _failure_text(task: Any, result: CheckResult) -> str:
    lines = [f"{task.label}, check {result.name}:", f"  {result.message}"]
    if result.where:
        lines.append(f"  at {result.where}")
    hint = result.hint or task.hint
    if hint:
        lines.append(f"  Hint: {hint}")
    return "\n".join(lines)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    ks = session.config.stash.get(SESSION_KEY, None)
    if ks is None:
        return
    if ks.settings.list_only:
        session.exitstatus = pytest.ExitCode.OK
        return
    results = ks.finish(list(session.items))
    for kata in ks.katas:
        path = ks.path_for(kata)
        if path.is_file():
            for line, call in debugger_calls(path.read_text(encoding="utf-8", errors="replace")):
                where = f"{path.name}:{line}"
                if not any(w.endswith(where) for w in ks.breakpoints):
                    results.warnings.append(
                        f"{path.name} line {line} has {call}: it would stop a normal run "
                        f"and wait for you; remove it when you are done debugging")
    session.config.hook.pytest_torchkata_results(config=session.config, results=results)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = (pytest.ExitCode.OK if results.score >= results.max_score
                              else pytest.ExitCode.TESTS_FAILED)


def debugger_calls(source: str) -> list[tuple[int, str]]:
    """Lines calling ``breakpoint()`` or ``pdb.set_trace()`` (code only, not strings or comments)."""
    found = []
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type in (tokenize.NAME, tokenize.OP)]
    except (tokenize.TokenError, SyntaxError):
        return found
    for i, tok in enumerate(tokens[:-1]):
        nxt = tokens[i + 1].string
        if tok.string == "breakpoint" and nxt == "(" and (i == 0 or tokens[i - 1].string != "."):
            found.append((tok.start[0], "breakpoint()"))
        elif (tok.string == "set_trace" and nxt == "(" and i >= 2 and tokens[i - 1].string == "."
              and tokens[i - 2].string == "pdb"):
            found.append((tok.start[0], "pdb.set_trace()"))
    return found


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    ks = config.stash.get(SESSION_KEY, None)
    if ks is None:
        return
    if ks.settings.list_only:
        katas = [ks.registry.get(n) for n in (ks.settings.katas or ks.registry.names())]
        for line in list_lines(katas, ProgressStore.read(config, ks.settings.kata_dir), ks.settings.kata_dir):
            terminalreporter.write_line(line)
        return
    if ks.results is not None:
        write_summary(terminalreporter, ks.results)
