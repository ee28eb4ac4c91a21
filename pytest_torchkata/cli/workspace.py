"""The learner's workspace as the ``torchkata`` command sees it: the installed
katas (``pytest_torchkata.registry``), the pristine learner files (stubs) and the
reference solutions, the kata folder, the language, and finding a kata or task from
what a learner typed.

Pristine stubs come from where the registry says (the wheel's ``_stubs``, a kata
pack's ``stubs/``) or, for a built-in kata in a source checkout, are generated from
``solutions/`` on the spot: never copied from a folder a learner works in, so ``init``
and ``reset`` cannot hand out solved files.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from pytest_torchkata.i18n import LANGUAGES, Text, default_language, set_language, tr

PACKAGE = Path(__file__).resolve().parents[1]
CHECKOUT = PACKAGE.parent


def checkout_note(kata_dir: Path) -> str:
    """A line for the header when a learner works in the source checkout's own ``katas/``
    (the pristine stubs the project's tests, ``init`` and builds rely on); else ""."""
    try:
        own = (CHECKOUT / "katas").resolve()
        if not ((CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "solutions").is_dir()):
            return ""
        if Path(kata_dir).resolve() != own:
            return ""
    except OSError:
        return ""
    return tr("torchkata: these are the project's own katas/; work in a folder of your own: "
              "`torchkata init ~/torchkata-work`, then run pytest there",
              "torchkata：这是项目自带的 katas/；请在你自己的文件夹里练习："
              "`torchkata init ~/torchkata-work`，然后在那里运行 pytest")


class UsageProblem(Exception):
    """What the learner typed cannot be done; the message says what to type instead."""


def choose_language(lang: str | None) -> str:
    """``--lang``, else ``TORCHKATA_LANG``, else the locale; and make it current."""
    chosen = (lang or os.environ.get("TORCHKATA_LANG") or default_language()).lower()
    if chosen not in LANGUAGES:
        raise UsageProblem(tr("--lang: {lang!r} is not one of {choices}", "--lang：{lang!r} 不是 {choices} 之一",
                              lang=chosen, choices=", ".join(LANGUAGES)))
    set_language(chosen)
    return chosen


def language_from_argv(argv: list[str]) -> str:
    """Make current the language a command line asks for, before its parser is built (so the help
    speaks it): ``--lang X`` / ``--lang=X``, else as :func:`choose_language`.  A value that is no
    language is left for the command to report; until then the fallback speaks."""
    asked = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            asked = argv[i + 1]
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
    for lang in (asked, None):
        try:
            return choose_language(lang)
        except UsageProblem:
            pass
    set_language("en")
    return "en"


def add_common_options(parser: argparse.ArgumentParser, folder: bool = True) -> None:
    """``--kata-dir`` (where ``folder``) and ``--lang``, as every learner command takes them."""
    if folder:
        parser.add_argument("--kata-dir", type=Path, default=None, metavar="DIR",
                            help=tr("folder with your kata files (default: ./katas, or TORCHKATA_DIR)",
                                    "存放你的练习文件的文件夹（默认：./katas，或 TORCHKATA_DIR）"))
    parser.add_argument("--lang", default=None, metavar="LANG",
                        help=tr("en or zh (简体中文); default: TORCHKATA_LANG, else the locale",
                                "en 或 zh（简体中文）；默认：TORCHKATA_LANG，否则按系统的语言设置"))


def add_kata_command(sub: Any, name: str, help: Text, description: Text, epilog: Text) -> argparse.ArgumentParser:
    """A subcommand about one kata: its texts in the current language, KATA its first argument."""
    parser = sub.add_parser(name, help=help.get(), description=description.get(), epilog=epilog.get())
    parser.add_argument("kata", help=tr("a kata: {names}", "练习名：{names}", names=", ".join(curriculum())))
    return parser


def kata_dir(value: Path | None) -> Path:
    """``--kata-dir``, else ``TORCHKATA_DIR``, else ./katas (as pytest finds it from here)."""
    raw = value or os.environ.get("TORCHKATA_DIR") or "katas"
    return Path(raw).expanduser().resolve()


def curriculum() -> list[str]:
    """Every installed kata, in curriculum order (``pytest_torchkata.registry``); a kata plugin
    that cannot be loaded is named on stderr once."""
    from pytest_torchkata.registry import kata_names, report_problems

    report_problems()
    return kata_names()


def next_in_curriculum(name: str) -> str | None:
    """The kata after ``name``: "" after the last one, None for a kata off the curriculum."""
    from pytest_torchkata.registry import next_kata

    return next_kata(name)


def load_kata(name: str) -> Any:
    """The installed kata ``name``; an unknown name lists the valid ones."""
    names = curriculum()
    if name not in names:
        from pytest_torchkata.plugin.options import did_you_mean

        raise UsageProblem(tr("unknown kata {name!r}.{guess} Valid katas: {names}",
                              "没有名为 {name!r} 的练习。{guess}可用的练习：{names}", name=name,
                              guess=did_you_mean([name], names), names=", ".join(names)))
    from pytest_torchkata.registry import load_kata as registered

    return registered(name)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def task_list(kata: Any) -> str:
    return "\n".join(f"  {t.number}. {t.id:<14} {t.title}" for t in kata.tasks)


def find_task(kata: Any, typed: list[str]) -> Any:
    """A task from its number, its id or words of its title (in either language)."""
    text = " ".join(typed).strip()
    if text.isdigit() and 1 <= int(text) <= len(kata.tasks):
        return kata.tasks[int(text) - 1]
    for task in kata.tasks:
        if task.id == text:
            return task
    wanted = _words(text)
    found, ranks = [], {}
    for task in kata.tasks:
        title = task.title_text
        names = " ".join([task.id, getattr(title, "en", str(title)), getattr(title, "zh", "")])
        words = _words(names)
        if wanted and all(w in names.lower() for w in wanted):
            found.append(task)
            # whole words typed count most; among equals, the shorter title fits better
            hits = sum(1 for w in wanted if w in words)
            ranks[task.id] = (hits, -len(words) if hits else 0)
    best = sorted(found, key=lambda t: ranks[t.id], reverse=True)
    if len(best) == 1 or (len(best) > 1 and ranks[best[0].id] > ranks[best[1].id]):
        return best[0]
    if found:
        raise UsageProblem(tr("{text!r} fits {count} tasks of {kata}; type the number:\n{tasks}",
                              "{text!r} 对应 {kata} 的 {count} 个任务；请输入编号：\n{tasks}",
                              text=text, count=len(found), kata=kata.name,
                              tasks="\n".join(f"  {t.number}. {t.id:<14} {t.title}" for t in found)))
    raise UsageProblem(tr("{kata} has no task {text!r}. Its tasks (type a number, an id or title words):\n{tasks}",
                          "{kata} 没有任务 {text!r}。它的任务有（输入编号、id 或标题中的词）：\n{tasks}",
                          kata=kata.name, text=text, tasks=task_list(kata)))


# -- pristine files ----------------------------------------------------------------

def stub_text(name: str, lang: str = "en") -> str:
    """The learner file of kata ``name`` as shipped, in ``lang``: the stub beside the kata
    (``registry.KataFiles.stubs``), else made from its reference on the spot."""
    from pytest_torchkata.authoring.stubs import make_stub, stub_path
    from pytest_torchkata.registry import kata_files

    kata = load_kata(name)
    stubs = kata_files(name).stubs
    shipped = stub_path(stubs, name, lang) if stubs is not None else None
    if shipped is not None and shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    reference = kata_files(name).reference
    return make_stub(solution_text(name), kata, str(reference), lang)


def solution_text(name: str) -> str:
    """The reference solution of kata ``name`` (shipped out of the learner's way: in the wheel's
    ``_solutions``, or beside a pack's kata)."""
    from pytest_torchkata.registry import kata_files

    load_kata(name)  # an unknown name says so
    path = kata_files(name).reference
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise UsageProblem(tr("the reference of {name} is not in this installation ({path} is missing); "
                          "reinstall the package that provides it",
                          "这次安装里没有 {name} 的参考答案（缺少 {path}）；请重新安装提供它的包",
                          name=name, path=path))
