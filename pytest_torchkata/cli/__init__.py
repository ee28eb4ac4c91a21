"""``torchkata``: the learner's home, and (for kata authors) stub generation.

    torchkata init [DIR] [--lang zh]   fresh learner files in DIR/katas (default: .)
    torchkata init --notebooks [DIR]   the same as Jupyter notebooks (katas/NAME.ipynb)
    torchkata watch KATA               grade now and on every save
    torchkata hint KATA [TASK]         hints, one more level each time (--level N for one)
    torchkata reset KATA [TASK]        put back the fresh file, or one task's code
    torchkata progress                 points per kata, the next task, the share done
    torchkata solution KATA TASK       the reference code, once the task has passed
    torchkata gen [--check] [KATA...]  regenerate katas/ from solutions/ in the current folder
                                       (kata authors, in a checkout; --root DIR for another;
                                       a kata pack's stubs/ from its solutions/)
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import string
import sys
from pathlib import Path
from typing import NoReturn

from pytest_torchkata.i18n import Text, language, tr

PACKAGE = Path(__file__).resolve().parents[1]
CHECKOUT = PACKAGE.parent


def cmd_gen(root: Path, check: bool, names: list[str] | None = None) -> int:
    """Regenerate (or with ``check`` compare) the stubs of the katas ``names`` (default: all
    installed): a built-in kata's in ``root/katas`` from ``root/solutions``, a pack's in its
    ``stubs/`` from its ``solutions/`` (``pytest_torchkata.registry``)."""
    from pytest_torchkata.authoring.stubs import StubError, generate
    from pytest_torchkata.cli.workspace import UsageProblem, curriculum, load_kata
    from pytest_torchkata.registry import installed

    registry = installed()
    try:
        katas = [load_kata(n) for n in (names or curriculum())]
    except UsageProblem as problem:
        print(f"torchkata gen: {problem}", file=sys.stderr)
        return 2
    builtin = [k for k in katas if registry.is_builtin(k.name)]
    packs = [k for k in katas if not registry.is_builtin(k.name)]
    if builtin and not (root / "solutions").is_dir():
        if names or not packs:
            print(f"torchkata gen: there is no solutions/ folder in {root}; run it from the "
                  f"checkout's top folder or pass --root", file=sys.stderr)
            return 2
        print(f"torchkata gen: the built-in katas are left out: there is no solutions/ folder in {root}",
              file=sys.stderr)
        builtin = []
    try:
        stale = generate(root / "solutions", root / "katas", builtin, check=check) if builtin else []
        for kata in packs:
            files = registry.files(kata.name)
            if not files.reference.is_file():
                print(f"torchkata gen: kata {kata.name} has no reference: {files.reference} is missing",
                      file=sys.stderr)
                return 2
            stale += generate(files.reference.parent, files.stubs or files.reference.parent, [kata], check=check)
    except StubError as exc:
        print(f"torchkata gen: {exc}", file=sys.stderr)
        return 2
    if check and stale:
        print("torchkata gen --check: out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"torchkata gen: {len(stale)} file(s) {'stale' if check else 'written'}")
    return 0


DESCRIPTION_ZH = """torchkata：学习者的主页，以及（给练习作者的）练习文件生成。

    torchkata init [DIR] [--lang zh]   把全新的练习文件放进 DIR/katas（默认：.）
    torchkata init --notebooks [DIR]   同上，但写成 Jupyter 笔记本（katas/NAME.ipynb）
    torchkata watch KATA               现在评分，之后每次保存都重新评分
    torchkata hint KATA [TASK]         查看提示，每次多给一级（--level N 只看第 N 级）
    torchkata reset KATA [TASK]        恢复成全新的练习文件，或只恢复一个任务的代码
    torchkata progress                 每个练习的得分、下一个任务、总的完成比例
    torchkata solution KATA TASK       任务通过之后查看参考答案
    torchkata gen [--check] [KATA...]  在当前文件夹里由 solutions/ 重新生成 katas/
                                       （给练习作者，在源码目录里用；别的目录用 --root DIR；
                                       练习包则由它的 solutions/ 生成 stubs/）
"""

# argparse's own error texts (Python 3.11 wording) in Chinese; a text not listed stays English
ARGPARSE_ERRORS = (
    Text("the following arguments are required: {names}", "缺少必需的参数：{names}"),
    Text("unrecognized arguments: {args}", "无法识别的参数：{args}"),
    Text("argument {name}: {message}", "参数 {name}：{message}"),
    Text("invalid choice: {value} (choose from {choices})", "没有 {value} 这个选项（可选：{choices}）"),
    Text("invalid {type} value: {value}", "{value} 不是有效的 {type} 值"),
    Text("expected one argument", "需要给一个值"),
    Text("expected at least one argument", "至少需要给一个值"),
    Text("ambiguous option: {option} could match {matches}", "选项 {option} 有歧义，可能是：{matches}"),
)


@functools.lru_cache(maxsize=None)
def _pattern(template: str) -> re.Pattern[str]:
    parts = [re.escape(literal) + (f"(?P<{field}>.+?)" if field else "")
             for literal, field, _, _ in string.Formatter().parse(template)]
    return re.compile("".join(parts), re.S)


def argparse_error(message: str) -> str:
    """An error text argparse made, in the current language."""
    if language() == "en":
        return message
    for text in ARGPARSE_ERRORS:
        found = _pattern(text.en).fullmatch(message)
        if found:
            values = found.groupdict()
            if "message" in values:
                values["message"] = argparse_error(values["message"])
            return text.get().format(**values)
    return message


@functools.lru_cache(maxsize=None)
def _speaking(base: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """``base`` with the usage prefix in the current language and lines that fit in terminal columns."""
    from pytest_torchkata.reports.display import width, wrap

    raw_lines = base._split_lines is not argparse.HelpFormatter._split_lines
    raw_text = base._fill_text is not argparse.HelpFormatter._fill_text

    class Formatter(base):  # type: ignore[valid-type, misc]
        def _format_usage(self, usage, actions, groups, prefix):  # type: ignore[no-untyped-def]
            prefix = tr("usage: ", "用法：") if prefix is None else prefix
            pad = " " * width(prefix)  # argparse counts characters; a CJK character takes two columns
            return prefix + super()._format_usage(usage, actions, groups, pad)[len(pad):]

        def _split_lines(self, text, columns):  # type: ignore[no-untyped-def]
            return super()._split_lines(text, columns) if raw_lines else wrap(text, columns)

        def _fill_text(self, text, columns, indent):  # type: ignore[no-untyped-def]
            if raw_text:
                return super()._fill_text(text, columns, indent)
            return "\n".join(indent + line for line in wrap(text, columns - len(indent)))

    return Formatter


class Parser(argparse.ArgumentParser):
    """argparse's parser speaking the current language: its usage line, section titles, -h and errors.

    Subcommands' parsers are made of the same class; the language must be set before they are built.
    """

    def __init__(self, **kwargs: object) -> None:
        add_help = bool(kwargs.pop("add_help", True))
        kwargs["formatter_class"] = _speaking(kwargs.get("formatter_class") or argparse.HelpFormatter)
        super().__init__(add_help=False, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = tr("positional arguments", "位置参数")
        self._optionals.title = tr("options", "选项")
        if add_help:
            self.add_argument("-h", "--help", action="help",
                              help=tr("show this help message and exit", "显示这份帮助并退出"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, tr("{prog}: error: {message}\n", "{prog}：错误：{message}\n",
                        prog=self.prog, message=argparse_error(message)))


def build_parser() -> argparse.ArgumentParser:
    """The ``torchkata`` parser, every help text in the current language."""
    parser = Parser(prog="torchkata", description=tr(__doc__ or "", DESCRIPTION_ZH),
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    from pytest_torchkata.cli import instructor, learner, similarity, watch

    learner.add_commands(sub)  # init, hint, reset, progress, solution
    watch.add_command(sub)
    similarity.add_parser(sub)  # instructors: similar code in a class
    p_gen = sub.add_parser("gen", help=tr("regenerate katas/ from solutions/ (kata authors)",
                                          "由 solutions/ 重新生成 katas/（给练习作者）"))
    p_gen.add_argument("--root", type=Path, default=None,
                       help=tr("the checkout holding solutions/ and katas/ (default: the current folder)",
                               "包含 solutions/ 和 katas/ 的源码目录（默认：当前文件夹）"))
    p_gen.add_argument("--check", action="store_true", help=tr("only report stale files", "只报告过期的文件"))
    p_gen.add_argument("katas", nargs="*", metavar="KATA",
                       help=tr("only these katas (default: every installed kata; a kata pack's stubs go "
                               "beside its reference)",
                               "只处理这些练习（默认：所有已安装的练习；练习包的学习者文件写在它的参考答案旁边）"))
    instructor.add_commands(sub)  # grade, gradescope, classroom (instructors)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``torchkata`` command. Output piped into a reader that stops early
    (``torchkata progress | head``) ends quietly, as Python's documentation on SIGPIPE advises."""
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit then has nowhere to fail
        return 1


def _run(argv: list[str] | None) -> int:
    from pytest_torchkata.cli import instructor
    from pytest_torchkata.cli.workspace import UsageProblem, language_from_argv

    argv = list(sys.argv[1:] if argv is None else argv)
    language_from_argv(argv)  # before the parser is built: its help texts are made in that language
    parser = build_parser()
    if instructor.wanted(argv):
        return instructor.run(parser, argv)
    args = parser.parse_args(argv)
    if hasattr(args, "func"):
        try:
            return args.func(args)
        except UsageProblem as problem:
            print(f"torchkata {args.command}: {problem}", file=sys.stderr)
            return 2
    return cmd_gen(args.root or Path.cwd(), args.check, args.katas)


if __name__ == "__main__":
    sys.exit(main())
