"""Command-line options, ini keys and environment variables, resolved in one place.

Every option has a flag and an ini key sharing one help text; some also have an
environment variable.  A value is taken from the command line, else the
environment, else the ini file, else the default, and a bad value names where
it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

DEFAULT_TIMEOUT_S = 20.0
DEVICES = ("auto", "cpu", "cuda")
BUILTIN_FORMAT_NAMES = ("json", "gradescope", "csv", "classroom")  # the help text; plugins may add more


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
]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("torchkata", "pytest-torchkata: grade PyTorch katas")
    for opt in OPTIONS:
        help_text = opt.help + (f" [env {opt.env}]" if opt.env else "")
        if opt.kind == "bool":
            group.addoption(opt.flag, action="store_true", default=None, dest=opt.dest, help=help_text)
            parser.addini(opt.dest, opt.help, type="bool", default=None)
        else:
            group.addoption(opt.flag, action="store", default=None, dest=opt.dest,
                            metavar=opt.metavar, help=help_text)
            parser.addini(opt.dest, opt.help, default=None)


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
        raise pytest.UsageError(f"{opt.flag}: {raw!r} (from {source}) is not true or false")
    if opt.kind in ("float", "int"):
        cast: Callable[[str], Any] = float if opt.kind == "float" else int
        try:
            value = cast(str(raw).strip())
        except ValueError:
            raise pytest.UsageError(
                f"{opt.flag}: {raw!r} (from {source}) is not {'a number' if opt.kind == 'float' else 'a whole number'}"
            ) from None
        if value < 0 or value != value:
            raise pytest.UsageError(f"{opt.flag}: {raw!r} (from {source}) must not be negative")
        return value
    return str(raw).strip()


def resolve(config: pytest.Config, opt: Option) -> tuple[Any, str]:
    """The value of one option and where it came from."""
    cli = config.getoption(opt.dest)
    if cli is not None:
        return _convert(opt, cli, f"the command line {opt.flag}"), "cli"
    if opt.env and os.environ.get(opt.env) not in (None, ""):
        return _convert(opt, os.environ[opt.env], f"the environment variable {opt.env}"), "env"
    ini = config.getini(opt.dest)
    if ini not in (None, "", []):
        return _convert(opt, ini, f"the ini key {opt.dest}"), "ini"
    return opt.default, "default"


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
    values = {opt.dest: resolve(config, opt) for opt in OPTIONS}
    raw_katas = values["kata"][0] or ""
    names = [n.strip() for n in raw_katas.split(",") if n.strip()]
    if known_katas is not None and names:
        if "all" in names:
            names = list(known_katas)
        unknown = [n for n in names if n not in known_katas]
        if unknown:
            raise pytest.UsageError(
                f"--kata: unknown kata {', '.join(repr(n) for n in unknown)}. "
                f"Valid katas: {', '.join(known_katas)}, or 'all'."
            )
    device = values["kata_device"][0]
    if device not in DEVICES:
        raise pytest.UsageError(
            f"--kata-device: {device!r} (from {values['kata_device'][1]}) is not one of {', '.join(DEVICES)}"
        )
    report_format, fmt_source = values["kata_report_format"]
    if formats is not None and report_format not in formats:
        raise pytest.UsageError(f"--kata-report-format: {report_format!r} (from {fmt_source}) "
                                f"is not one of {', '.join(formats)}")
    from pytest_torchkata.i18n import LANGUAGES, default_language

    lang, lang_source = values["kata_lang"]
    lang = lang.lower() if lang else default_language()
    if lang not in LANGUAGES:
        raise pytest.UsageError(f"--kata-lang: {lang!r} (from {lang_source}) is not one of "
                                f"{', '.join(LANGUAGES)}")
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
    )
