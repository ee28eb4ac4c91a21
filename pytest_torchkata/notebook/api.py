"""``tk.check``, ``tk.hint``, ``tk.solution`` and ``tk.progress``: the learner's commands, from a
notebook.

They keep the ``torchkata`` command's rules (``cli.workspace``, ``cli.learner``): the kata
folder (``kata_dir=``, else ``TORCHKATA_DIR``, else ./katas), the language (``lang=``, else
``TORCHKATA_LANG``, else the locale), tasks named by number, id or title words, one more hint
level per call, the reference only after the task passed, and the same progress file.  What
the learner typed wrong comes back as a message, never a traceback.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

from pytest_torchkata.i18n import tr
from pytest_torchkata.notebook import view

PathLike = "str | os.PathLike[str]"


def _typed(task: Any) -> list[str]:
    if task is None:
        return []
    return [str(task)] if isinstance(task, (int, str)) else [str(t) for t in task]


def _friendly(function: Callable[..., view.Shown]) -> Callable[..., view.Shown]:
    """A usage problem, an unreadable notebook or a failure of ours (a full disk) comes back as a
    message to read."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> view.Shown:
        from pytest_torchkata.cli.workspace import UsageProblem
        from pytest_torchkata.notebook.convert import NotebookProblem

        try:
            return function(*args, **kwargs)
        except (UsageProblem, NotebookProblem) as exc:
            return view.note(str(exc))
        except Exception as exc:  # noqa: BLE001 - no traceback of ours reaches a learner
            return view.note(tr("torchkata could not do this: {kind}: {error}", "torchkata 无法完成：{kind}：{error}",
                                kind=type(exc).__name__, error=exc))
    return wrapper


def _workspace(kata_dir: Any, lang: str | None) -> tuple[Path, str]:
    from pytest_torchkata.cli.workspace import choose_language
    from pytest_torchkata.cli.workspace import kata_dir as chosen_dir

    language = choose_language(lang)
    folder = chosen_dir(Path(kata_dir) if kata_dir is not None else None)
    return folder, language


@_friendly
def check(kata: str, task: Any = None, *, source: Any = None, isolate: bool = False, kata_dir: Any = None,
          lang: str | None = None, shell: Any = None) -> view.Shown:
    """Grade ``kata`` (one ``task``: its number, id or title words) from the cells this kernel has
    run, or from ``source`` (a ``.py`` or ``.ipynb`` file), in a fresh process."""
    from pytest_torchkata.cli.workspace import find_task, load_kata
    from pytest_torchkata.notebook import cells, grading
    from pytest_torchkata.notebook.convert import Converted, definitions_only, read_notebook

    folder, language = _workspace(kata_dir, lang)
    found = load_kata(kata)
    number = find_task(found, _typed(task)).number if task is not None else None
    notes: list[str] = []
    if source is not None:
        path = Path(source).expanduser()
        if path.suffix == ".ipynb":
            converted = definitions_only([(_cell_label(label), code) for label, code in read_notebook(path)])
        else:
            try:
                converted = Converted(source=path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                return view.note(tr("{path} cannot be read: {error}", "无法读取 {path}：{error}",
                                    path=path, error=exc))
            converted.where = functools.partial("{}:{}".format, str(path))  # type: ignore[method-assign]
    else:
        shell = shell if shell is not None else cells.current_shell()
        if shell is None:
            return view.note(tr("no notebook kernel here: run tk.check in a notebook, or name a file with "
                                "source='katas/{kata}.py'",
                                "这里没有 notebook 内核：请在 notebook 里运行 tk.check，或用 "
                                "source='katas/{kata}.py' 指定一个文件", kata=kata))
        converted = definitions_only(cells.kernel_cells(shell))
        if not converted.spans and not converted.problems:
            return view.note(tr("the cells this kernel has run define nothing to check yet: run the cells "
                                "with your code first, or name a file with source='katas/{kata}.py'",
                                "这个内核运行过的单元格里还没有可检查的定义：请先运行写有你的代码的单元格，"
                                "或用 source='katas/{kata}.py' 指定一个文件", kata=kata))
    notes += [tr("{cell} was left out: it cannot be read as Python ({problem})",
                 "{cell} 被跳过：无法作为 Python 解析（{problem}）", cell=label, problem=problem)
              for label, problem in converted.problems]
    folder.mkdir(parents=True, exist_ok=True)
    graded = grading.grade(found.name, converted.source, folder, language, task_number=number,
                           isolate=isolate, place=lambda line: _place(converted, line))
    graded.notes[:0] = notes
    result = graded.kata_report()
    if result is None:
        return view.note("\n".join(graded.notes))
    return view.check_view(result, number, graded.notes, graded.seconds)


def _cell_label(label: str) -> str:
    """A cell label of ``convert`` ("cell [7]", "cell 3") in the current language."""
    rest = label.removeprefix("cell ")
    return tr("cell {rest}", "单元格 {rest}", rest=rest)


def _place(converted: Any, line: int) -> str | None:
    """A line of the converted source as the learner's cell and line, in the current language."""
    for span in getattr(converted, "spans", []):
        if span.first_line <= line <= span.last_line:
            return tr("{cell}, line {line}", "{cell} 第 {line} 行", cell=span.label, line=line - span.first_line + 1)
    return converted.where(line)


@_friendly
def hint(kata: str, task: Any = None, *, kata_dir: Any = None, lang: str | None = None) -> view.Shown:
    """The hint levels of a task seen so far plus the next one (default: the next unfinished task)."""
    from pytest_torchkata.cli.learner import next_hints

    folder, _ = _workspace(kata_dir, lang)
    found, chosen, levels, shown = next_hints(kata, _typed(task), folder)
    title = (tr("{kata}, task {number} ({title}): hint 1 of {count}", "{kata}，任务 {number}（{title}）：第 1 级提示，共 {count} 级",
                kata=found.name, number=chosen.number, title=chosen.title, count=len(levels)) if shown == 1 else
             tr("{kata}, task {number} ({title}): hints 1 to {shown} of {count}",
                "{kata}，任务 {number}（{title}）：第 1 到 {shown} 级提示，共 {count} 级",
                kata=found.name, number=chosen.number, title=chosen.title, shown=shown, count=len(levels)))
    rows = [f"{i}. {text}" for i, text in enumerate(levels[:shown], start=1)]
    more = (tr("More: tk.hint({kata!r}, {number}) (level {next})", "还需要提示：tk.hint({kata!r}, {number})（第 {next} 级）",
               kata=found.name, number=chosen.number, next=shown + 1) if shown < len(levels) else
            tr("That was the last level. Once the task passes, tk.solution({kata!r}, {number}) shows the reference.",
               "这是最后一级提示。任务通过之后，tk.solution({kata!r}, {number}) 会显示参考答案。",
               kata=found.name, number=chosen.number))
    return view.lines(title, rows, [more])


@_friendly
def solution(kata: str, task: Any, *, kata_dir: Any = None, lang: str | None = None) -> view.Shown:
    """The reference code of a task once it has passed in a check; before that, the next hint."""
    from pytest_torchkata.cli.learner import reference_or_hint

    folder, language = _workspace(kata_dir, lang)
    found, chosen, listings, level = reference_or_hint(kata, _typed(task), folder, language)
    if listings is None:
        return view.lines(
            tr("Task {number} ({title}) has not passed in a check yet (tk.check({kata!r})); the reference "
               "stays hidden until it does. Meanwhile, a hint:",
               "任务 {number}（{title}）还没有在检查中通过（tk.check({kata!r})）；通过之前不显示参考答案。先看一条提示：",
               number=chosen.number, title=chosen.title, kata=found.name),
            [f"{level}. {chosen.hints[level - 1]}"])
    return view.lines(tr("{kata}, task {number} ({title}): the reference solution", "{kata}，任务 {number}（{title}）：参考答案",
                         kata=found.name, number=chosen.number, title=chosen.title), listings)


@_friendly
def progress(*, kata_dir: Any = None, lang: str | None = None) -> view.Shown:
    """Every kata with its points from the last check, the next task and the share done."""
    from pytest_torchkata.cli.workspace import curriculum, load_kata
    from pytest_torchkata.reports import progress as store

    folder, _ = _workspace(kata_dir, lang)
    found, note = store.read(folder)
    rows = store.list_lines([load_kata(name) for name in curriculum()], found, folder, columns=100)
    tail = [tr("Check one with: tk.check('NAME')", "检查一个练习：tk.check('NAME')")] + ([note] if note else [])
    return view.lines(rows[0], ["\n".join(rows[1:-1])], tail)
