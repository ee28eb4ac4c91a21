"""The pytest adapter: the plugin's hooks, and nothing else (entry point ``pytest11``).

Rooms of this layer: ``options`` (flags, ini keys, env), ``hookspecs`` (the
extension hooks), ``session`` (one grading session's state), ``fixtures``
(``kata`` and ``device``), ``access`` (the ``kata`` fixture's object),
``outcomes`` (a check's result from pytest's report) and ``debugger``.
This layer may import every other; the sandbox never imports it.

Without ``--kata`` (or ``--kata-list``) it only adds its options: torch is not
imported and no test is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from pytest_torchkata import __version__
from pytest_torchkata.i18n import language, set_language, tr
from pytest_torchkata.model import MARKER
from pytest_torchkata.plugin import hookspecs
from pytest_torchkata.plugin.debugger import breakpoint_warnings, debugger_calls  # noqa: F401
from pytest_torchkata.plugin.fixtures import device, kata  # noqa: F401  (the plugin's fixtures)
from pytest_torchkata.plugin.options import add_options, settings
from pytest_torchkata.plugin.outcomes import check_outcome
from pytest_torchkata.plugin.selection import task_numbers
from pytest_torchkata.plugin.session import DEVICE_CHOICES, NO_CUDA, NO_CUDA_ZH, SESSION_KEY, KataSession
from pytest_torchkata.reports.formats import FileReporter
from pytest_torchkata.reports import progress
from pytest_torchkata.reports.progress import ProgressStore, list_lines
from pytest_torchkata.reports.summary import write_summary

if TYPE_CHECKING:
    from pytest_torchkata.registry import KataRegistry


LANGUAGE_BEFORE = pytest.StashKey[str]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)  # the built-in katas come first in the curriculum
def pytest_torchkata_register_katas(register: Any) -> None:
    from pytest_torchkata.katas import CURRICULUM

    for name in CURRICULUM:
        register(f"pytest_torchkata.katas.{name}.tasks")


@pytest.hookimpl
def pytest_torchkata_report_formats(register: Any) -> None:
    from pytest_torchkata.reports.formats import BUILTIN_FORMATS

    for fmt in BUILTIN_FORMATS:
        register(fmt)


def _registry(config: pytest.Config) -> KataRegistry:
    from pytest_torchkata.registry import from_hook

    return from_hook(config.hook)


def _formats(config: pytest.Config) -> dict[str, Any]:
    formats: dict[str, Any] = {}

    def register(fmt: Any) -> None:
        if fmt.name in formats and formats[fmt.name] is not fmt:
            raise ValueError(f"two report formats are named {fmt.name!r}")
        formats[fmt.name] = fmt

    config.hook.pytest_torchkata_report_formats(register=register)
    return formats


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(kata, task): the kata task a check belongs to")
    config.stash[LANGUAGE_BEFORE] = language()  # put back at the end (pytester runs in-process)
    opts = settings(config)
    if not opts.active:
        return
    registry = _registry(config)
    opts = settings(config, registry.names(), _formats(config))
    set_language(opts.lang)
    if opts.katas and not opts.list_only and not opts.kata_dir.is_dir():
        raise pytest.UsageError(tr(
            "there is no kata folder at {dir}. Get the learner files with "
            "`torchkata init` (it makes ./katas), or point --kata-dir at your folder.",
            "{dir} 没有练习文件夹。用 `torchkata init` 取得学习者文件（它会建立 ./katas），"
            "或者用 --kata-dir 指向你的文件夹。", dir=opts.kata_dir))
    if opts.isolate:
        _refuse_kata_dir_conftest(config, opts.kata_dir)
    session = KataSession(config, registry, opts)
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "torchkata-session")  # it hears -k, Ctrl+C and pytest.exit
    # torch's many long-lived objects make every later gc pass slow; leave them out of it
    import gc

    gc.freeze()
    if opts.report:
        config.pluginmanager.register(FileReporter(opts.report, opts.report_writer), "torchkata-report")
    # ``-p no:torchkata-progress`` (torchkata grade) blocks it: a submission's progress file is not read
    session.keeps_progress = config.pluginmanager.register(ProgressStore(opts.kata_dir),
                                                           progress.PLUGIN_NAME) is not None
    # Grade with the checks shipped in the package, never with files from the kata folder.
    config.args[:] = [k.checks_file for k in session.katas]


def _refuse_kata_dir_conftest(config: pytest.Config, kata_dir: Path) -> None:
    """A conftest.py in the kata folder, or in a folder above it up to the rootdir, may be the
    learner's: under --kata-isolate it would run inside the grader."""
    root = Path(config.rootpath).resolve()
    above = [kata_dir, *kata_dir.parents]
    suspect = above[: above.index(root) + 1] if root in above else [kata_dir]
    for plugin in config.pluginmanager.get_plugins():
        source = getattr(plugin, "__file__", None)
        if source and Path(source).name == "conftest.py" and Path(source).resolve().parent in suspect:
            where = (tr("in the kata folder", "在练习文件夹里") if Path(source).resolve().parent == kata_dir
                     else tr("above the kata folder", "在练习文件夹的上层"))
            raise pytest.UsageError(tr(
                "{source} was loaded: a conftest.py {where} may be the learner's and would run inside "
                "the grader. Under --kata-isolate, run pytest from a neutral folder (one that is not "
                "the kata folder or above it) and point --kata-dir at the learner's katas.",
                "{source} 被加载了：{where}的 conftest.py 可能来自学习者，会在评分程序里运行。"
                "使用 --kata-isolate 时，请在一个中立的文件夹（不是练习文件夹，也不在它上层）运行 pytest，"
                "并用 --kata-dir 指向学习者的练习文件夹。", source=source, where=where))


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.close()
    set_language(config.stash.get(LANGUAGE_BEFORE, language()))


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
    for kata_obj in ks.katas:
        if Path(kata_obj.checks_file) == Path(module_path):
            return pytest.Module.from_parent(parent, path=module_path, nodeid=kata_obj.name)
    return None


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    ks = config.stash.get(SESSION_KEY, None)
    if ks is None or ks.settings.list_only:
        return None
    import torch

    from pytest_torchkata.plugin.access import seed_digest

    devices = ks.devices()
    cuda = "" if "cuda" in devices else tr(" (no CUDA device: CUDA cases are skipped)",
                                           "（没有 CUDA 设备：跳过 CUDA 用例）")
    mode = ks.sandbox_line()
    memory = ks.memory_line()
    lines = [
        tr("torchkata {version}: katas {katas} from {dir}", "torchkata {version}：练习 {katas}，文件在 {dir}",
           version=__version__, katas=", ".join(k.name for k in ks.katas), dir=ks.settings.kata_dir),
        # the digest is what grading logs and Gradescope's results show of a secret seed
        tr("torchkata: device {devices}{cuda}; seed {seed} (digest {digest}); torch {torch}; {mode}",
           "torchkata：设备 {devices}{cuda}；随机种子 {seed}（摘要 {digest}）；torch {torch}；{mode}",
           devices=", ".join(devices), cuda=cuda, seed=ks.settings.seed, digest=seed_digest(ks.settings.seed),
           torch=torch.__version__, mode=mode),
    ] + ([memory] if memory else []) + _checkout_note(ks.settings.kata_dir)
    from pytest_torchkata.reports.display import fit

    columns = getattr(config.get_terminal_writer(), "fullwidth", 80)  # a CJK character takes two
    return [part for line in lines for part in fit(line, columns, hang=2)]


def _checkout_note(kata_dir: Path) -> list[str]:
    from pytest_torchkata.cli.workspace import checkout_note

    note = checkout_note(kata_dir)
    return [note] if note else []


@pytest.hookimpl(tryfirst=True)  # before -k deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Let ``-k`` match a check by its task's id, number and title in both languages
    (``-k softmax``, ``-k permute``), not only by the class name; a ``-k`` made of task
    numbers alone (``-k 1``, ``-k "1 or 3"``) selects exactly those tasks."""
    ks = config.stash.get(SESSION_KEY, None)
    if ks is None:
        return
    ks.remember(items)
    numbers: dict[str, int] = {}
    for item in items:
        marker = item.get_closest_marker(MARKER)
        if marker is None:
            continue
        task = ks.registry.get(marker.args[0]).get_task(marker.args[1])
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    ks = metafunc.config.stash.get(SESSION_KEY, None)
    if ks is None or "device" not in metafunc.fixturenames:
        return
    import torch

    params = [
        pytest.param(d, marks=pytest.mark.skip(reason=tr(NO_CUDA, NO_CUDA_ZH)))
        if d == "cuda" and not torch.cuda.is_available() else d
        for d in DEVICE_CHOICES[ks.settings.device]
    ]
    metafunc.parametrize("device", params)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    ks = item.config.stash.get(SESSION_KEY, None)
    marker = item.get_closest_marker(MARKER)
    if ks is None or marker is None or item.nodeid in ks.checks:
        return
    report = outcome.get_result()
    if report.sections:  # what learner code printed: no control sequence reaches the terminal
        from pytest_torchkata.reports.encode import for_terminal

        report.sections = [(title, for_terminal(text)) for title, text in report.sections]
    task = ks.registry.get(marker.args[0]).get_task(marker.args[1])
    found = check_outcome(task, item.name, str(item.path), call, report,
                          full_tracebacks=item.config.getoption("tbstyle") in ("long", "native"),
                          learner=ks.keeps_progress)
    if found is None:
        return
    ks.checks[item.nodeid] = found.result
    if found.skip:
        report.outcome = "skipped"
    if found.longrepr is not None:
        report.longrepr = found.longrepr
    exc = call.excinfo.value if call.excinfo is not None else None
    if getattr(exc, "load_failure", False):
        # the whole file could not be loaded: one failure block per kata, not one per check
        kata_name = marker.args[0]
        if ks.load_failures.get(kata_name) == found.result.message:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), 0, tr("same cause as above: {message}",
                                                     "原因同上：{message}", message=found.result.message))
        else:
            ks.load_failures[kata_name] = found.result.message


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    ks = session.config.stash.get(SESSION_KEY, None)
    if ks is None:
        return
    if ks.settings.list_only:
        session.exitstatus = pytest.ExitCode.OK
        return
    ks.close()  # every learner process is gone before the report is written
    results = ks.finish(list(session.items), failures=session.testsfailed if session.shouldfail else 0,
                        stop=session.shouldstop)
    stopping = session.config.getoption("capture") == "no" and not ks.settings.isolate
    results.warnings.extend(breakpoint_warnings([ks.path_for(k) for k in ks.katas], ks.breakpoints, stopping,
                                                learner=ks.keeps_progress))
    session.config.hook.pytest_torchkata_results(config=session.config, results=results)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = (pytest.ExitCode.OK if results.score >= results.max_score
                              else pytest.ExitCode.TESTS_FAILED)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    ks = config.stash.get(SESSION_KEY, None)
    if ks is None:
        return
    if ks.settings.list_only:
        katas = [ks.registry.get(n) for n in (ks.settings.katas or ks.registry.names())]
        for line in list_lines(katas, progress.load(ks.settings.kata_dir), ks.settings.kata_dir):
            terminalreporter.write_line(line)
        return
    if ks.results is not None:
        following = {n: ks.registry.next_kata(n) or "" for n in ks.registry.names()}
        # no progress kept: not a learner's own workspace (torchkata grade, Gradescope), so the
        # summary leaves out what to do next there (the next task, `torchkata hint`, the next kata)
        write_summary(terminalreporter, ks.results, following,
                      columns=getattr(config.get_terminal_writer(), "fullwidth", 80),
                      learner=ks.keeps_progress)
