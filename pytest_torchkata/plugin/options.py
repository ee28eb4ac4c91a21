"""Command-line options, ini keys and environment variables, resolved in one place.

Every option has a flag and an ini key sharing one help text; some also have an
environment variable.  A value is taken from the command line, else the
environment, else the ini file, else the default, and a bad value names where
it came from.
"""

from __future__ import annotations

import argparse
import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from pytest_torchkata.i18n import LANGUAGES, default_language, set_language, tr

DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MEMORY_MB = 2048
SANDBOX_LEVELS = ("auto", "bwrap", "user", "none")
DEVICES = ("auto", "cpu", "cuda")
BUILTIN_FORMAT_NAMES = ("json", "gradescope", "csv", "classroom", "html")  # the help text; plugins may add more
# name -> help of every registered report format, known once the plugins are loaded: filled in
# pytest_configure under --help (which pytest shows after configuring), read by the help below
REPORT_FORMATS: dict[str, str] = {}


@dataclass(frozen=True)
class Option:
    flag: str
    help: str
    env: str | None = None
    kind: str = "string"  # "string" | "bool" | "float" | "int"
    default: Any = None
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


OPTIONS = [
    Option("--kata", "grade these katas: NAME[,NAME...] or 'all'", "TORCHKATA_KATA", metavar="NAME"),
    Option("--kata-dir", "folder with the learner's kata files (default: katas under the rootdir)",
           "TORCHKATA_DIR", metavar="DIR"),
    Option("--kata-report", "write a report of the grades to PATH (format: --kata-report-format)",
           "TORCHKATA_REPORT", metavar="PATH"),
    Option("--kata-report-format", f"format of --kata-report: {', '.join(BUILTIN_FORMAT_NAMES)} "
           f"(default json), or one a plugin registers", "TORCHKATA_REPORT_FORMAT",
           default="json", metavar="FORMAT"),
    Option("--kata-isolate", "run learner code in a worker process (for grading untrusted code)",
           "TORCHKATA_ISOLATE", kind="bool", default=False),
    Option("--kata-timeout", f"time limit in seconds for the learner code of one task, 0 for none "
           f"(default {DEFAULT_TIMEOUT_S:g}, longer where a task needs it)", "TORCHKATA_TIMEOUT",
           kind="float", metavar="SECONDS"),
    Option("--kata-device", "devices to check on: auto (cpu, and cuda when there is one), cpu or cuda",
           "TORCHKATA_DEVICE", default="auto", metavar="DEVICE"),
    Option("--kata-seed", "base random seed; each check derives its own from it (default 0)",
           "TORCHKATA_SEED", kind="int", default=0, metavar="N"),
    Option("--kata-data", "folder with data sets (MNIST); default: a per-user cache folder",
           "TORCHKATA_DATA", metavar="DIR"),
    Option("--kata-lang", "language of messages, hints and the summary: en or zh (简体中文); "
           "default from the locale (zh_* gives zh)", "TORCHKATA_LANG", metavar="LANG"),
    Option("--kata-list", "list the katas, their tasks and your progress, then exit", kind="bool",
           default=False),
    Option("--kata-sandbox", "how --kata-isolate walls off learner code: auto (the strongest that works "
           "here), bwrap, user or none (see the README's security model)", "TORCHKATA_SANDBOX",
           default="auto", metavar="LEVEL"),
    Option("--kata-budget", "time in seconds for the whole submission's learner code, 0 for none; "
           "when it is spent, the remaining tasks are errors", "TORCHKATA_BUDGET", kind="float",
           metavar="SECONDS"),
    Option("--kata-memory", f"memory limit in MB for each learner process under --kata-isolate, 0 for "
           f"none (default {DEFAULT_MEMORY_MB})", "TORCHKATA_MEMORY", kind="float", metavar="MB"),
]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("torchkata", "pytest-torchkata: grade PyTorch katas")
    for opt in OPTIONS:
        help_text = opt.help + (f" [env {opt.env}]" if opt.env else "")
        if opt.kind == "bool":
            group.addoption(opt.flag, action="store_true", default=None, dest=opt.dest, help=help_text)
            parser.addini(opt.dest, opt.help, type="bool", default=None)
        else:
            action = ReportFormatAction if opt.dest == "kata_report_format" else "store"
            group.addoption(opt.flag, action=action, default=None, dest=opt.dest,
                            metavar=opt.metavar, help=help_text)
            parser.addini(opt.dest, opt.help, default=None)


class ReportFormatAction(argparse.Action):
    """``--kata-report-format``: stores its value like ``store``; its help ends with every
    registered format and the ``ReportFormat.help`` its plugin gave (``REPORT_FORMATS``)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, values)

    @property  # type: ignore[override]
    def help(self) -> str:
        listed = "; ".join(f"{name}: {text}" for name, text in REPORT_FORMATS.items())
        return self._help + (f". Formats: {listed}".replace("%", "%%") if listed else "")

    @help.setter
    def help(self, text: str) -> None:
        self._help = text


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(opt: Option, raw: Any, source: str) -> Any:
    if opt.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise pytest.UsageError(tr("{flag}: {raw!r} (from {source}) is not true or false",
                                   "{flag}：{raw!r}（来自{source}）不是 true 或 false",
                                   flag=opt.flag, raw=raw, source=source))
    if opt.kind in ("float", "int"):
        cast: Callable[[str], Any] = float if opt.kind == "float" else int
        try:
            value = cast(str(raw).strip())
        except ValueError:
            raise pytest.UsageError(
                tr("{flag}: {raw!r} (from {source}) is not a number", "{flag}：{raw!r}（来自{source}）不是一个数",
                   flag=opt.flag, raw=raw, source=source) if opt.kind == "float" else
                tr("{flag}: {raw!r} (from {source}) is not a whole number", "{flag}：{raw!r}（来自{source}）不是整数",
                   flag=opt.flag, raw=raw, source=source)
            ) from None
        if value < 0 or value != value:
            raise pytest.UsageError(tr("{flag}: {raw!r} (from {source}) must not be negative",
                                       "{flag}：{raw!r}（来自{source}）不能是负数", flag=opt.flag, raw=raw, source=source))
        return value
    return str(raw).strip()


def resolve(config: pytest.Config, opt: Option) -> tuple[Any, str]:
    """The value of one option and where it came from: "cli", "env", "ini" or "default"
    (``source`` words it for a message)."""
    cli = config.getoption(opt.dest)
    if cli is not None:
        return _convert(opt, cli, source(opt, "cli")), "cli"
    if opt.env and os.environ.get(opt.env) not in (None, ""):
        return _convert(opt, os.environ[opt.env], source(opt, "env")), "env"
    ini = config.getini(opt.dest)
    if ini not in (None, "", []):
        return _convert(opt, ini, source(opt, "ini")), "ini"
    return opt.default, "default"


def source(opt: Option, where: str) -> str:
    """Where a value came from, as a message names it: the flag, the variable, the ini key."""
    if where == "cli":
        return tr("the command line {flag}", "命令行 {flag}", flag=opt.flag)
    if where == "env":
        return tr("the environment variable {env}", "环境变量 {env}", env=opt.env)
    if where == "ini":
        return tr("the ini key {key}", "ini 配置项 {key}", key=opt.dest)
    return tr("the default", "默认值")


def _from(values: dict[str, tuple[Any, str]], dest: str) -> str:
    return source(next(opt for opt in OPTIONS if opt.dest == dest), values[dest][1])


@dataclass
class Settings:
    katas: list[str]
    kata_dir: Path
    report: Path | None
    report_format: str
    report_writer: Any
    isolate: bool
    timeout: float | None
    timeout_explicit: bool
    device: str
    seed: int
    data: Path | None
    list_only: bool
    lang: str = "en"
    sandbox: str = "auto"
    budget: float | None = None
    memory: float | None = None

    @property
    def active(self) -> bool:
        return bool(self.katas) or self.list_only

    @property
    def data_dir(self) -> Path:
        """--kata-data / TORCHKATA_DATA, else a per-user cache folder."""
        if self.data is not None:
            return self.data
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Path(base) / "torchkata" / "data"

    def timeout_for(self, task_timeout: float | None) -> float | None:
        """The time limit for one task: the user's, else the task's own, else the default."""
        value = self.timeout if self.timeout_explicit else (task_timeout or self.timeout)
        return None if not value else float(value)


def settings(config: pytest.Config, known_katas: list[str] | None = None,
             formats: dict[str, Any] | None = None) -> Settings:
    """The resolved options; with ``known_katas`` and ``formats`` (name -> ReportFormat)
    the kata names and the report format are validated against them."""
    _language_first(config)
    values = {opt.dest: resolve(config, opt) for opt in OPTIONS}
    raw_katas = values["kata"][0] or ""
    names = [n.strip() for n in raw_katas.split(",") if n.strip()]
    if known_katas is not None and names:
        if "all" in names:
            names = list(known_katas)
        unknown = [n for n in names if n not in known_katas]
        if unknown:
            raise pytest.UsageError(tr(
                "--kata: unknown kata {unknown}.{guess} Valid katas: {katas}, or 'all'.",
                "--kata：没有练习 {unknown}。{guess}可用的练习：{katas}，或者 'all'。",
                unknown=", ".join(repr(n) for n in unknown), guess=did_you_mean(unknown, known_katas),
                katas=", ".join(known_katas)))
    device = values["kata_device"][0]
    if device not in DEVICES:
        raise pytest.UsageError(tr(
            "--kata-device: {device!r} (from {source}) is not one of {choices}",
            "--kata-device：{device!r}（来自 {source}）不是 {choices} 之一",
            device=device, source=_from(values, "kata_device"), choices=", ".join(DEVICES)))
    report_format, fmt_source = values["kata_report_format"][0], _from(values, "kata_report_format")
    if formats is not None and report_format not in formats:
        raise pytest.UsageError(tr("--kata-report-format: {fmt!r} (from {source}) is not one of {choices}",
                                   "--kata-report-format：{fmt!r}（来自 {source}）不是 {choices} 之一",
                                   fmt=report_format, source=fmt_source, choices=", ".join(formats)))
    lang, lang_source = values["kata_lang"][0], _from(values, "kata_lang")
    lang = lang.lower() if lang else default_language()
    if lang not in LANGUAGES:
        raise pytest.UsageError(tr("--kata-lang: {lang!r} (from {source}) is not one of {choices}",
                                   "--kata-lang：{lang!r}（来自 {source}）不是 {choices} 之一",
                                   lang=lang, source=lang_source, choices=", ".join(LANGUAGES)))
    sandbox, sandbox_source = values["kata_sandbox"][0], _from(values, "kata_sandbox")
    sandbox = sandbox.lower()
    if sandbox not in SANDBOX_LEVELS:
        raise pytest.UsageError(tr("--kata-sandbox: {value!r} (from {source}) is not one of {choices}",
                                   "--kata-sandbox：{value!r}（来自 {source}）不是 {choices} 之一",
                                   value=sandbox, source=sandbox_source, choices=", ".join(SANDBOX_LEVELS)))
    memory = values["kata_memory"][0]
    kata_dir = values["kata_dir"][0]
    root = Path(config.rootpath)
    report = values["kata_report"][0]
    data = values["kata_data"][0]
    timeout, timeout_source = values["kata_timeout"]
    return Settings(
        katas=names,
        kata_dir=(Path(kata_dir).expanduser() if kata_dir else root / "katas").resolve(),
        report=Path(report).expanduser().resolve() if report else None,
        report_format=report_format,
        report_writer=(formats or {}).get(report_format),
        isolate=bool(values["kata_isolate"][0]),
        timeout=DEFAULT_TIMEOUT_S if timeout is None else timeout,
        timeout_explicit=timeout_source != "default",
        device=device,
        seed=int(values["kata_seed"][0]),
        data=Path(data).expanduser().resolve() if data else None,
        list_only=bool(values["kata_list"][0]),
        lang=lang,
        sandbox=sandbox,
        budget=values["kata_budget"][0] or None,
        memory=float(DEFAULT_MEMORY_MB if memory is None else memory) or None,
    )


def did_you_mean(typed: list[str], known: list[str]) -> str:
    """" Did you mean 'tensors'?" for mistyped names that are close to known ones ("" if none is)."""
    guesses = [m for name in typed for m in difflib.get_close_matches(name, known, n=1, cutoff=0.6)]
    if not guesses:
        return ""
    return tr(" Did you mean {names}?", "你是不是想输入 {names}？",
              names=tr(" or ", " 或 ").join(repr(g) for g in dict.fromkeys(guesses)))


def _language_first(config: pytest.Config) -> None:
    """Take --kata-lang (else env, ini, locale) before the other options, so that their
    usage errors are already in the learner's language; a bad value is reported later."""
    raw = (config.getoption("kata_lang") or os.environ.get("TORCHKATA_LANG") or config.getini("kata_lang")
           or default_language())
    if str(raw).strip().lower() in LANGUAGES:
        set_language(str(raw).strip().lower())
