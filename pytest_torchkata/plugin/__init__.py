"""The pytest adapter (entry point ``pytest11``): the options, the extension hooks, the
built-in katas and report formats, and, under ``--kata``/``--kata-list``, the grading
session, a plugin of its own whose methods are the hooks of a grading run.

Rooms of this layer: ``options`` (flags, ini keys, env), ``hookspecs`` (the
extension hooks), ``session`` (one grading session: its state and its hooks), ``fixtures``
(``kata`` and ``device``), ``access`` (the ``kata`` fixture's object),
``outcomes`` (a check's result from pytest's report) and ``debugger``.
This layer may import every other; the sandbox never imports it.

Without ``--kata`` (or ``--kata-list``) it only adds its options: torch is not
imported and no test is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_torchkata.i18n import language, set_language, tr
from pytest_torchkata.model import MARKER
from pytest_torchkata.plugin import hookspecs
from pytest_torchkata.plugin.debugger import debugger_calls  # noqa: F401
from pytest_torchkata.plugin.fixtures import device, kata  # noqa: F401  (the plugin's fixtures)
from pytest_torchkata.plugin.options import REPORT_FORMATS, add_options, settings
from pytest_torchkata.plugin.session import NO_CUDA, NO_CUDA_ZH, SESSION_KEY, KataSession  # noqa: F401
from pytest_torchkata.reports import progress
from pytest_torchkata.reports.formats import FileReporter
from pytest_torchkata.reports.progress import ProgressStore

if TYPE_CHECKING:
    from pytest_torchkata.registry import KataRegistry


LANGUAGE_BEFORE = pytest.StashKey[str]()
SESSION_PLUGIN = "torchkata-session"


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
    if config.getoption("help", False):  # pytest shows the help after configuring: name every format
        REPORT_FORMATS.clear()
        REPORT_FORMATS.update({name: fmt.help for name, fmt in _formats(config).items()})
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
    config.pluginmanager.register(session, SESSION_PLUGIN)  # its methods are the grading run's hooks
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
    set_language(config.stash.get(LANGUAGE_BEFORE, language()))
