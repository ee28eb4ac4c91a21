"""The learner's progress, kept between runs in a plain JSON file beside the
kata files (``KATA_DIR/.torchkata/progress.json``), so the ``torchkata``
command reads it without pytest.

Per kata and task it holds the last graded status, score and max score,
whether the task has ever passed (``solved``: ``torchkata solution`` waits for
it) and how many hint levels the learner has seen (``hints_seen``, reported as
``hints_used``).  The store is a ``pytest_torchkata_results`` hook
implementation, like any third-party reporter.

The file is the learner's own: ``read`` takes only what has the expected shape
(a file too large, not JSON or of the wrong types is read as empty, with a
one-line note, and written anew by the next graded run), never a crash.
``solved`` counts only when it is ``true``; a hand-written file can still
unlock ``torchkata solution`` on the learner's own machine, which is fine for
checking oneself.  ``torchkata grade`` never reads a submission's progress file:
it runs pytest with ``-p no:torchkata-progress`` (``PLUGIN_NAME``).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.display import fit, hanging, ljust, rjust, width
from pytest_torchkata.reports.results import SessionResult
from pytest_torchkata.status import Status

PROGRESS_FILE = Path(".torchkata") / "progress.json"
PROGRESS_VERSION = 1
PLUGIN_NAME = "torchkata-progress"  # the store's plugin name: ``-p no:torchkata-progress`` turns it off
MAX_BYTES = 1 << 20  # a learner's progress is a few kilobytes
MAX_HINTS = 100
FIELDS = {"status", "score", "max_score", "solved", "hints_seen"}


def progress_path(kata_dir: Path) -> Path:
    return Path(kata_dir) / PROGRESS_FILE


def damaged_note(kata_dir: Path) -> str:
    return tr("{path} was damaged: what could not be read is dropped, and the file is written anew",
              "{path} 已损坏：无法读取的部分被丢弃，文件会重新写入", path=progress_path(kata_dir))


def _number(value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else 0.0


def _entry(found: Any) -> dict[str, Any] | None:
    """One task's record with only the known fields, each of its type; None when it is not a record."""
    if not isinstance(found, dict):
        return None
    clean: dict[str, Any] = {}
    status = found.get("status")
    if isinstance(status, str) and status in Status._value2member_map_:
        clean["status"] = status
    for key in ("score", "max_score"):
        if key in found:
            clean[key] = _number(found[key])
    if "solved" in found:
        clean["solved"] = found["solved"] is True
    if "hints_seen" in found:
        clean["hints_seen"] = int(min(max(_number(found["hints_seen"]), 0), MAX_HINTS))
    return clean


def read(kata_dir: Path) -> tuple[dict[str, dict[str, dict[str, Any]]], str]:
    """The progress as ``load`` gives it, and a one-line note when the file was damaged ("" else)."""
    path = progress_path(kata_dir)
    try:
        if not path.is_file():
            return {}, ""
        if path.stat().st_size > MAX_BYTES:
            return {}, damaged_note(kata_dir)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}, damaged_note(kata_dir)
    katas = data.get("katas") if isinstance(data, dict) else None
    if not isinstance(katas, dict):
        return {}, damaged_note(kata_dir)
    clean: dict[str, dict[str, dict[str, Any]]] = {}
    damaged = False
    for kata, tasks in katas.items():
        if not isinstance(tasks, dict):
            damaged = True
            continue
        for task, found in tasks.items():
            entry_ = _entry(found)
            if entry_ is None:
                damaged = True
                continue
            damaged = damaged or len(entry_) != len(FIELDS & set(found))  # a field of the wrong type
            clean.setdefault(str(kata), {})[str(task)] = entry_
    return clean, damaged_note(kata_dir) if damaged else ""


def load(kata_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{kata: {task_id: {"status", "score", "max_score", "solved", "hints_seen"}}}``, each
    field of its type (see ``read``)."""
    return read(kata_dir)[0]


def save(kata_dir: Path, katas: dict[str, dict[str, dict[str, Any]]]) -> None:
    from pytest_torchkata.reports.formats import write_json

    write_json(progress_path(kata_dir), {"version": PROGRESS_VERSION, "katas": katas})


def entry(katas: dict, kata: str, task: str) -> dict[str, Any]:
    return katas.setdefault(kata, {}).setdefault(task, {})


def hints_seen(katas: dict, kata: str, task: str) -> int:
    return int(katas.get(kata, {}).get(task, {}).get("hints_seen", 0))


def record_hints(kata_dir: Path, kata: str, task: str, levels: int) -> None:
    """Remember that the learner has now seen ``levels`` hint levels of a task."""
    katas = load(kata_dir)
    found = entry(katas, kata, task)
    found["hints_seen"] = max(int(found.get("hints_seen", 0)), min(levels, MAX_HINTS))
    save(kata_dir, katas)


def is_solved(katas: dict, kata: str, task: str) -> bool:
    return katas.get(kata, {}).get(task, {}).get("solved") is True


class ProgressStore:
    """Records each graded task's last result in the progress file."""

    def __init__(self, kata_dir: Path) -> None:
        self.kata_dir = Path(kata_dir)

    @pytest.hookimpl
    def pytest_torchkata_results(self, config: pytest.Config, results: SessionResult) -> None:
        katas = load(self.kata_dir)
        for kata in results.katas:
            for task in kata.tasks:
                if task.status == Status.SKIPPED:
                    continue  # not graded this time: keep what the last run found
                found = entry(katas, kata.name, task.id)
                found.update(status=Status(task.status).value, score=task.score, max_score=task.max_score)
                # only a task whose every check ran and passed is solved
                found["solved"] = found.get("solved") is True or (task.status == Status.PASSED and not task.partial)
        try:
            save(self.kata_dir, katas)
        except OSError:
            pass  # a read-only kata folder (a grader's) keeps no progress


def next_task(kata: Any, done: dict[str, dict[str, Any]]) -> Any:
    """The first task of ``kata`` that has not passed in its last graded run."""
    for task in kata.tasks:
        if done.get(task.id, {}).get("status") != Status.PASSED:
            return task
    return None


def _points(x: float) -> str:
    return f"{x:g}"


def list_lines(katas: list, progress: dict[str, dict[str, dict[str, Any]]], kata_dir: Path,
               columns: int | None = None) -> list[str]:
    """Every kata with its points from the last run, the next task and the share done
    (``torchkata progress`` and ``pytest --kata-list``), each line fitted to ``columns``
    (default: the terminal's width) by display width."""
    if columns is None:
        columns = shutil.get_terminal_size((80, 24)).columns
    lines = fit(tr("Katas (learner files in {dir}):", "练习（学习者文件在 {dir}）：", dir=kata_dir), columns)
    earned_all = total_all = 0.0
    name_width = max((width(k.name) for k in katas), default=10) + 2
    for kata in katas:
        done = progress.get(kata.name, {})
        passed = sum(1 for t in kata.tasks if done.get(t.id, {}).get("status") == Status.PASSED)
        earned = round(sum(float(done.get(t.id, {}).get("score", 0) or 0) for t in kata.tasks), 2)
        earned_all += earned
        total_all += kata.max_score
        exists = (Path(kata_dir) / f"{kata.name}.py").is_file()
        nxt = next_task(kata, done)
        state = (tr("next: task {number} ({title})", "下一个：任务 {number}（{title}）",
                    number=nxt.number, title=nxt.title) if nxt is not None
                 else tr("all passed", "全部通过"))
        lines += hanging(
            f"  {ljust(kata.name, name_width)}", f"{kata.title}  "
            + tr("{earned}/{total} points [{passed}/{count} passed]",
                 "{earned}/{total} 分 [{passed}/{count} 通过]", earned=_points(earned),
                 total=_points(kata.max_score), passed=passed, count=len(kata.tasks))
            + f"  {state}"
            + ("" if exists else tr("  (no learner file yet)", "  （还没有学习者文件）")), columns)
        title_width = max((width(t.title) for t in kata.tasks), default=10) + 2
        for task in kata.tasks:
            seen = done.get(task.id, {}).get("status")
            status = (Status(seen).word if seen in Status._value2member_map_
                      else tr("not graded yet", "尚未评分"))
            lines += hanging(f"      {task.number}. ", f"{ljust(task.title, title_width)}"
                             f"{rjust(_points(task.points), 3)} " + tr("pts", "分") + f"  {status}", columns)
    share = round(100 * earned_all / total_all) if total_all else 0
    lines += fit(tr("Overall: {earned}/{total} points ({share} % done)", "总计：{earned}/{total} 分（完成 {share} %）",
                    earned=_points(round(earned_all, 2)), total=_points(total_all), share=share), columns)
    lines += fit(tr("Grade one with: pytest --kata=NAME (or on every save: torchkata watch NAME)",
                    "评分：pytest --kata=NAME（或每次保存时自动评分：torchkata watch NAME）"), columns)
    return lines
