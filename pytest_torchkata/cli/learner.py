"""The learner's commands: ``init``, ``hint``, ``reset``, ``progress`` and
``solution`` (``watch`` lives in ``cli.watch``).

Each reads and writes plain files only (the kata folder and its
``.torchkata/progress.json``): no pytest run, no learner code imported.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from pytest_torchkata.cli.workspace import (UsageProblem, add_common_options, add_kata_command, choose_language,
                                            curriculum, find_task, kata_dir, load_kata, solution_text, stub_text)
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.reports import progress

BACKUP_DIR = ".backup"


def add_commands(sub: Any) -> None:
    """Register the learner's subcommands on the ``torchkata`` parser (in the current language)."""
    number_id_words = tr("a task number, id or words of its title", "任务编号、id 或标题中的词")
    p = sub.add_parser("init", help=tr("copy the learner kata files into DIR/katas", "把练习文件复制到 DIR/katas"),
                       description=tr("Copy fresh learner files into DIR/katas (default: ./katas); "
                                      "files you already have are kept unless --force.",
                                      "把全新的练习文件复制到 DIR/katas（默认：./katas）；"
                                      "你已有的文件会保留，除非加上 --force。"))
    p.add_argument("dir", nargs="?", default=".", type=Path,
                   help=tr("where katas/ goes (default: the current folder)", "katas/ 放在哪里（默认：当前文件夹）"))
    p.add_argument("--force", action="store_true", help=tr("overwrite existing kata files", "覆盖已有的练习文件"))
    p.add_argument("--notebooks", action="store_true",
                   help=tr("write Jupyter notebooks (katas/NAME.ipynb) instead of .py files",
                           "写入 Jupyter 笔记本（katas/NAME.ipynb），而不是 .py 文件"))
    add_common_options(p, folder=False)
    p.set_defaults(func=lambda a: cmd_init(a.dir, a.force, choose_language(a.lang), notebooks=a.notebooks))

    p = add_kata_command(sub, "hint", help=Text("show a task's hints, one more level each time",
                                           "显示任务的提示，每次多给一级"),
                         description=Text("Show the hint levels of a task seen so far plus the next one. TASK is "
                                          "a task number, id or words of its title (torchkata hint tensors softmax); "
                                          "default: your next unfinished task.",
                                          "显示某个任务你已经看过的各级提示，再加上下一级。TASK 可以是任务编号、id "
                                          "或标题中的词（torchkata hint tensors softmax）；默认：你下一个还没完成的任务。"),
                         epilog=Text("examples: torchkata hint tensors | torchkata hint tensors softmax | "
                                     "torchkata hint tensors 6 --level 2",
                                     "例如：torchkata hint tensors | torchkata hint tensors softmax | "
                                     "torchkata hint tensors 6 --level 2"))
    p.add_argument("task", nargs="*", default=[], help=number_id_words)
    p.add_argument("--level", type=int, default=None, metavar="N",
                   help=tr("show only hint level N", "只显示第 N 级提示"))
    add_common_options(p)
    p.set_defaults(func=lambda a: cmd_hint(a.kata, a.task, a.level, kata_dir(a.kata_dir), choose_language(a.lang)))

    p = add_kata_command(sub, "reset", help=Text("put back the fresh learner file (or one task's code)",
                                            "恢复成全新的练习文件（或只恢复一个任务的代码）"),
                         description=Text("Put back the fresh learner file of KATA, or only the function or class "
                                          "of one TASK; your version is saved first in KATA_DIR/.backup/.",
                                          "把 KATA 恢复成全新的练习文件，或者只恢复某个 TASK 所在的函数或类；"
                                          "你的版本会先保存到 KATA_DIR/.backup/。"),
                         epilog=Text("examples: torchkata reset tensors | torchkata reset tensors softmax",
                                     "例如：torchkata reset tensors | torchkata reset tensors softmax"))
    p.add_argument("task", nargs="*", default=[], help=number_id_words)
    add_common_options(p)
    p.set_defaults(func=lambda a: cmd_reset(a.kata, a.task, kata_dir(a.kata_dir), choose_language(a.lang)))

    p = sub.add_parser("progress", help=tr("points per kata from your last runs, the next task, the share done",
                                           "每个练习最近一次评分的得分、下一个任务和完成比例"),
                       description=tr("Every kata with the points earned in its last graded run, its next task, "
                                      "and the overall share done (the same as pytest --kata-list).",
                                      "列出每个练习最近一次评分得到的分数和下一个任务，以及总的完成比例"
                                      "（与 pytest --kata-list 显示的相同）。"))
    add_common_options(p)
    p.set_defaults(func=lambda a: cmd_progress(kata_dir(a.kata_dir), choose_language(a.lang)))

    p = add_kata_command(sub, "solution", help=Text("show a task's reference code, once the task has passed",
                                               "任务通过之后，显示它的参考答案"),
                         description=Text("Show the reference code of TASK once it has passed in a graded run; "
                                          "before that, the next hint.",
                                          "TASK 在评分中通过之后，显示它的参考答案；通过之前只显示下一级提示。"),
                         epilog=Text("example: torchkata solution tensors softmax",
                                     "例如：torchkata solution tensors softmax"))
    p.add_argument("task", nargs="+", help=number_id_words)
    add_common_options(p)
    p.set_defaults(func=lambda a: cmd_solution(a.kata, a.task, kata_dir(a.kata_dir), choose_language(a.lang)))


# -- init ----------------------------------------------------------------------------

def cmd_init(target: Path, force: bool, lang: str = "en", notebooks: bool = False) -> int:
    """Fresh learner files in ``target/katas``: ``NAME.py``, or with ``notebooks`` ``NAME.ipynb``
    (made from the same stub; the ``.py`` is not written, since a ``.py`` beside it would be the
    file graded)."""
    if notebooks:
        try:
            import nbformat  # noqa: F401

            from pytest_torchkata.authoring.notebooks import notebook_text
        except ImportError:
            raise UsageProblem(tr('--notebooks needs nbformat: pip install "pytest-torchkata[notebook]"',
                                  '--notebooks 需要 nbformat：pip install "pytest-torchkata[notebook]"')) from None
    dest = (target / "katas").resolve()
    dest.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for name in curriculum():
        out = dest / f"{name}.{'ipynb' if notebooks else 'py'}"
        if out.exists() and not force:
            kept.append(out.name)
            continue
        out.write_text(notebook_text(name, lang) if notebooks else stub_text(name, lang), encoding="utf-8")
        copied.append(out.name)
    print(tr("torchkata: {count} kata file(s) written to {dest}", "torchkata：已把 {count} 个练习文件写入 {dest}",
             count=len(copied), dest=dest))
    if kept and notebooks:
        print(tr("torchkata: kept your existing {names} (use --force to overwrite)",
                 "torchkata：保留了你已有的 {names}（用 --force 覆盖）", names=", ".join(kept)))
    elif kept:
        print(tr("torchkata: kept your existing {names} (use --force to overwrite, or "
                 "torchkata reset NAME to start one again)",
                 "torchkata：保留了你已有的 {names}（用 --force 覆盖，或用 torchkata reset NAME 重新开始某个练习）",
                 names=", ".join(kept)))
    first = curriculum()[0]
    if notebooks:
        print(tr("Next: open {path} in Jupyter (or VS Code, Colab, Kaggle) and run its cells",
                 "下一步：在 Jupyter（或 VS Code、Colab、Kaggle）里打开 {path}，依次运行它的单元格",
                 path=dest / f"{first}.ipynb"))
        return 0
    print(tr("Next: pytest --kata={name} (or grade on every save: torchkata watch {name})",
             "下一步：pytest --kata={name}（或每次保存时自动评分：torchkata watch {name}）", name=first))
    return 0


# -- hint ----------------------------------------------------------------------------

def _pick_task(kata: Any, typed: list[str], done: dict) -> Any:
    if typed:
        return find_task(kata, typed)
    task = progress.next_task(kata, done.get(kata.name, {}))
    if task is None:
        raise UsageProblem(tr("every task of {kata} has passed; name one: torchkata hint {kata} TASK",
                              "{kata} 的所有任务都通过了；请指定一个：torchkata hint {kata} TASK", kata=kata.name))
    return task


def next_hints(name: str, typed: list[str], folder: Path, level: int | None = None) -> tuple[Any, Any, list[str], int]:
    """The kata, the task, its hint levels and how many of them to show now (the levels seen
    so far plus the next one, or ``level``), recorded in the progress file."""
    kata = load_kata(name)
    done = _progress(folder)
    task = _pick_task(kata, typed, done)
    levels = [str(h) for h in task.hints]
    seen = progress.hints_seen(done, kata.name, task.id)
    if level is not None and not 1 <= level <= len(levels):
        raise UsageProblem(tr("task {number} has {count} hint level(s): use --level 1 to {count}",
                              "任务 {number} 有 {count} 级提示：请用 --level 1 到 {count}",
                              number=task.number, count=len(levels)))
    shown = max(seen, level) if level is not None else min(seen + 1, len(levels))
    _record(folder, kata.name, task.id, shown)
    return kata, task, levels, shown


def cmd_hint(name: str, typed: list[str], level: int | None, folder: Path, lang: str) -> int:
    kata, task, levels, shown = next_hints(name, typed, folder, level)
    head = tr("{kata}, task {number} ({title})", "{kata}，任务 {number}（{title}）",
              kata=kata.name, number=task.number, title=task.title)
    if level is not None:
        print(tr("{head}: hint {level} of {count}", "{head}：第 {level} 级提示，共 {count} 级",
                 head=head, level=level, count=len(levels)))
        print(f"  {level}. {levels[level - 1]}")
    else:
        print(tr("{head}: hint 1 of {count}", "{head}：第 1 级提示，共 {count} 级", head=head, count=len(levels))
              if shown == 1 else
              tr("{head}: hints 1 to {shown} of {count}", "{head}：第 1 到 {shown} 级提示，共 {count} 级",
                 head=head, shown=shown, count=len(levels)))
        for i, text in enumerate(levels[:shown], start=1):
            print(f"  {i}. {text}")
    if shown < len(levels):
        print(tr("More: torchkata hint {kata} {number} (level {next})",
                 "还需要提示：torchkata hint {kata} {number}（第 {next} 级）",
                 kata=kata.name, number=task.number, next=shown + 1))
    else:
        print(tr("That was the last level. Once the task passes, torchkata solution {kata} {number} "
                 "shows the reference.",
                 "这是最后一级提示。任务通过之后，torchkata solution {kata} {number} 会显示参考答案。",
                 kata=kata.name, number=task.number))
    return 0


def _record(folder: Path, kata: str, task: str, shown: int) -> None:
    if not folder.is_dir():
        return  # no workspace yet: nothing to remember in
    try:
        progress.record_hints(folder, kata, task, shown)
    except OSError:
        pass


# -- reset ---------------------------------------------------------------------------

def backup(path: Path) -> Path:
    """Save the learner's file as KATA_DIR/.backup/NAME.YYYYmmdd-HHMMSS.py."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}.py"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}.{stamp}-{n}.py"
    target.write_bytes(path.read_bytes())
    return target


def cmd_reset(name: str, typed: list[str], folder: Path, lang: str) -> int:
    kata = load_kata(name)
    path = folder / f"{name}.py"
    task = find_task(kata, typed) if typed else None
    mine = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
    stub = stub_text(name, file_language(mine, name, lang) if mine is not None else lang)
    saved = backup(path) if path.is_file() else None
    if task is None or mine is None:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(stub, encoding="utf-8")
        print(tr("torchkata: {path} is the fresh learner file again", "torchkata：{path} 已恢复成新的学习者文件",
                 path=path))
    else:
        path.write_text(replace_task_code(mine, stub, task, path), encoding="utf-8")
        print(tr("torchkata: task {number} ({title}) in {path} is fresh again",
                 "torchkata：{path} 里的任务 {number}（{title}）已恢复成初始代码",
                 number=task.number, title=task.title, path=path))
    if saved is not None:
        print(tr("torchkata: your version is saved as {saved}", "torchkata：你的版本已保存为 {saved}", saved=saved))
    return 0


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def _docstring(source: str) -> str:
    try:
        return ast.get_docstring(ast.parse(source)) or ""
    except (SyntaxError, ValueError):  # a file that does not parse: its opening docstring
        head = re.match(r'\s*[rRuU]?("""|\'\'\')(.*?)(\1|$)', source, re.S)
        return head.group(2) if head else ""


def file_language(source: str, name: str, fallback: str) -> str:
    """The language of a learner file, from its module docstring (the stubs' first lines):
    the one of the stub it equals, else Chinese when most of its words are; ``fallback``
    when the file has none."""
    doc = _docstring(source).strip()
    if not doc:
        return fallback
    for lang in ("en", "zh"):
        if doc == _docstring(stub_text(name, lang)).strip():
            return lang
    cjk, latin = len(_CJK.findall(doc)), len(_LATIN.findall(doc))
    return "zh" if cjk and cjk * 3 >= latin else "en"  # a Chinese character says about a word's worth


def _definitions(tree: ast.AST) -> dict[tuple[str, ...], ast.AST]:
    found: dict[tuple[str, ...], ast.AST] = {}

    def walk(node: ast.AST, path: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[path + (child.name,)] = child
                walk(child, path + (child.name,))

    walk(tree, ())
    return found


def _span(node: Any) -> tuple[int, int]:
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return first, node.end_lineno


def replace_task_code(mine: str, stub: str, task: Any, path: Path) -> str:
    """``mine`` with every function or class holding one of ``task``'s TODOs taken from ``stub``
    (a task may span several: ``backward_twice`` and ``clear_grad``, a class's two methods)."""
    todo = f"# TODO(task {task.number}):"
    lines_with_todo = [i for i, text in enumerate(stub.splitlines(), start=1) if todo in text]
    stub_defs = _definitions(ast.parse(stub))
    holders: dict[tuple[str, ...], Any] = {}
    for line in lines_with_todo:
        around = [(p, n) for p, n in stub_defs.items() if _span(n)[0] <= line <= _span(n)[1]]
        if around:
            qualname, node = max(around, key=lambda item: len(item[0]))  # the innermost definition
            holders[qualname] = node
    if not holders:
        raise UsageProblem(tr("task {number}'s code is not inside a function or class; reset the whole kata: "
                              "torchkata reset {kata}",
                              "任务 {number} 的代码不在函数或类里；请重置整个练习：torchkata reset {kata}",
                              number=task.number, kata=path.stem))
    stub_lines = stub.splitlines(keepends=True)
    for qualname, node in holders.items():
        mine = _put_back(mine, qualname, stub_lines[_span(node)[0] - 1:_span(node)[1]], path)
    return mine


def _put_back(mine: str, qualname: tuple[str, ...], fresh: list[str], path: Path) -> str:
    """``mine`` with the definition ``qualname`` replaced by ``fresh`` (appended when it is gone)."""
    try:
        tree = ast.parse(mine)
    except SyntaxError as exc:
        raise UsageProblem(tr("{path} cannot be read as Python (line {line}: {msg}); reset the whole kata "
                              "with torchkata reset {kata} (your version is saved first)",
                              "{path} 无法作为 Python 解析（第 {line} 行：{msg}）；请用 torchkata reset {kata} "
                              "重置整个练习（会先保存你的版本）",
                              path=path, line=exc.lineno, msg=exc.msg, kata=path.stem)) from None
    lines = mine.splitlines(keepends=True)
    target = _definitions(tree).get(qualname)
    if target is None:  # the learner deleted it: put it back at the end
        return "".join(lines).rstrip("\n") + "\n\n\n" + "".join(fresh)
    start, end = _span(target)
    return "".join(lines[:start - 1] + fresh + lines[end:])


# -- progress and solutions ----------------------------------------------------------

def _progress(folder: Path) -> dict:
    """The learner's progress; a damaged file is said in one line (the next graded run rewrites it)."""
    found, note = progress.read(folder)
    if note:
        print(tr("torchkata: {note}", "torchkata：{note}", note=note), file=sys.stderr)
    return found


def cmd_progress(folder: Path, lang: str) -> int:
    katas = [load_kata(name) for name in curriculum()]
    for line in progress.list_lines(katas, _progress(folder), folder):
        print(line)
    return 0


def reference_or_hint(name: str, typed: list[str], folder: Path, lang: str) -> tuple[Any, Any, list[str] | None, int]:
    """The kata, the task, and the reference listings of the task once it has passed in a graded
    run; before that None and the hint level to show instead (recorded as seen)."""
    from pytest_torchkata.cli.listing import solution_listing

    kata = load_kata(name)
    task = find_task(kata, typed)
    done = _progress(folder)
    if not progress.is_solved(done, kata.name, task.id):
        level = min(progress.hints_seen(done, kata.name, task.id) + 1, len(task.hints))
        _record(folder, kata.name, task.id, level)
        return kata, task, None, level
    return kata, task, solution_listing(solution_text(name), task.id, lang), 0


def cmd_solution(name: str, typed: list[str], folder: Path, lang: str) -> int:
    kata, task, listings, level = reference_or_hint(name, typed, folder, lang)
    if listings is None:
        print(tr("Task {number} ({title}) has not passed in a graded run yet (pytest --kata={kata}); "
                 "the reference stays hidden until it does. Meanwhile, a hint:",
                 "任务 {number}（{title}）还没有在评分中通过（pytest --kata={kata}）；通过之前不显示参考答案。"
                 "先看一条提示：", number=task.number, title=task.title, kata=kata.name))
        print(f"  {level}. {task.hints[level - 1]}")
        return 1
    print(tr("{kata}, task {number} ({title}): the reference solution",
             "{kata}，任务 {number}（{title}）：参考答案", kata=kata.name, number=task.number, title=task.title))
    for listing in listings:
        print(textwrap.indent(listing, "    "))
    return 0
