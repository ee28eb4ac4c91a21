"""``torchkata watch KATA``: grade a kata now and again on every save.

Each grading is a fresh ``python -m pytest --kata=KATA`` subprocess (so the
learner file is imported anew every time) writing a JSON report; the screen
is cleared and shows the current task first, then the kata's summary.  A
half-written file is just another result: the grader reports it like any run.
File events come from ``watchfiles``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pytest_torchkata.cli.workspace import (UsageProblem, add_common_options, add_kata_command, choose_language,
                                            curriculum, kata_dir, next_in_curriculum)
from pytest_torchkata.i18n import Text, tr
from pytest_torchkata.reports.display import fit, wrap
from pytest_torchkata.reports.encode import for_terminal
from pytest_torchkata.reports.results import CheckResult, KataResult, TaskResult
from pytest_torchkata.reports.summary import kata_title, more_help, summary_lines
from pytest_torchkata.status import Status

CLEAR = "\033[2J\033[H"


def add_command(sub: Any) -> None:
    p = add_kata_command(sub, "watch", help=Text("grade a kata now and again every time you save it",
                                            "现在给练习评分，之后每次保存都重新评分"),
                         description=Text("Grade KATA now and again on every save of its file, showing your "
                                          "current task first. Stop with Ctrl+C.",
                                          "现在给 KATA 评分，之后每次保存它的文件都重新评分，并先显示你当前的任务。"
                                          "按 Ctrl+C 停止。"),
                         epilog=Text("example: torchkata watch tensors", "例如：torchkata watch tensors"))
    add_common_options(p)
    p.set_defaults(func=lambda a: cmd_watch(a.kata, kata_dir(a.kata_dir), choose_language(a.lang)))


def cmd_watch(name: str, folder: Path, lang: str) -> int:
    path = folder / f"{name}.py"
    if name not in curriculum() and not path.is_file():
        raise UsageProblem(tr("unknown kata {name!r}. Valid katas: {names}",
                              "没有名为 {name!r} 的练习。可用的练习：{names}", name=name,
                              names=", ".join(curriculum())))
    if not folder.is_dir():
        raise UsageProblem(tr("there is no kata folder at {dir}; get the learner files with torchkata init, "
                              "or point --kata-dir at your folder",
                              "{dir} 没有练习文件夹；用 torchkata init 取得学习者文件，或者用 --kata-dir 指向你的文件夹",
                              dir=folder))
    from watchfiles import watch

    def wanted(change: Any, changed: str) -> bool:
        return Path(changed).name == path.name

    try:
        graded = contents(path)
        show(grade(name, folder, lang), path)
        # every second at least, compare the file with what was graded: a save made while
        # grading, or before the watcher started, is not missed
        for _changes in watch(folder, watch_filter=wanted, raise_interrupt=True,
                              rust_timeout=1000, yield_on_timeout=True):
            now = contents(path)
            if now != graded:
                graded = now
                show(grade(name, folder, lang), path)
    except KeyboardInterrupt:
        print(tr("torchkata watch: stopped", "torchkata watch：已停止"))
    return 0


def contents(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def grade(name: str, folder: Path, lang: str) -> list[str]:
    """Grade once in a fresh pytest process; the lines to show."""
    with tempfile.TemporaryDirectory(prefix="torchkata-watch-") as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pytest", f"--kata={name}", f"--kata-dir={folder}",
                   f"--kata-lang={lang}", f"--kata-report={report}", "-q", "--no-header", "--tb=no",
                   "-p", "no:cacheprovider"]
        env = {**os.environ, "TORCHKATA_LANG": lang}
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
        except subprocess.TimeoutExpired:
            return [tr("grading took more than an hour and was stopped", "评分超过一小时，已停止")]
        if not report.is_file():  # a usage error: show what pytest said
            return (done.stdout + done.stderr).strip().splitlines()[-20:]
        data = json.loads(report.read_text(encoding="utf-8"))
    return screen(data, next_in_curriculum(name))


def _known(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def kata_from_json(data: dict[str, Any]) -> KataResult:
    """A kata of the JSON report as the summary's objects (keys this version does not know are left out)."""
    tasks = []
    for task in data["tasks"]:
        fields = _known(TaskResult, task)
        fields["status"] = Status(fields["status"])
        fields["checks"] = [CheckResult(**_known(CheckResult, {**c, "status": Status(c["status"])}))
                            for c in task.get("checks", [])]
        tasks.append(TaskResult(**fields))
    return KataResult(name=data["name"], title=data["title"], score=data["score"],
                      max_score=data["max_score"], tasks=tasks)


def screen(report: dict[str, Any], next_kata: str | None) -> list[str]:
    columns = shutil.get_terminal_size((100, 24)).columns
    lines: list[str] = []
    for data in report["katas"]:
        kata = kata_from_json(data)
        lines.append(kata_title(kata))
        current = kata.next_task()
        if current is not None:
            lines.append("")
            lines.append(tr("Now: task {number}, {title} ({status})", "当前：任务 {number}，{title}（{status}）",
                            number=current.number, title=current.title, status=Status(current.status).word))
            if current.message and current.status != Status.NOT_STARTED:
                lines.extend("  " + part for part in wrap(current.message, columns - 4))
            if current.hint:
                hint = wrap(tr("Hint: {hint}", "提示：{hint}", hint=current.hint), columns - 4)
                lines.extend("  " + part for part in hint)
            lines.append("  " + more_help(kata.name, current.number))
            lines.append("")
        lines.extend(summary_lines(kata, next_kata, columns, next_block=False))
    lines.extend(tr("Warning: {warning}", "注意：{warning}", warning=w) for w in report.get("warnings", []))
    return [part for line in lines for part in fit(line, columns)]  # by display width: CJK takes two


def show(lines: list[str], path: Path) -> None:
    if sys.stdout.isatty():
        print(CLEAR, end="")
    else:
        print("-" * 40)
    for line in lines:  # a warning or pytest's own output may quote the learner's text
        print(for_terminal(line))
    footer = tr("Watching {path}: save it to grade again; Ctrl+C stops.",
                "正在监视 {path}：保存文件就会重新评分；按 Ctrl+C 停止。", path=path)
    print("\n".join(fit(footer, shutil.get_terminal_size((100, 24)).columns)), flush=True)
