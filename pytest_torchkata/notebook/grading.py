"""Grading the learner's code in a fresh process, as ``pytest --kata`` grades a file.

The converted source is written as ``NAME.py`` into a temporary kata folder (the learner's own
``NAME.py``, if any, is never touched), and ``pytest --kata=NAME`` runs there with a JSON
report, in a process of its own: a child forked from the warm helper (``warm``: torch already
imported) where it can, else a fresh ``python -m pytest``.  Either way the kernel's state cannot
leak into the grade, and nothing the grading does can disturb the kernel.  As in ``torchkata
grade``, no other pytest plugin and no ``PYTEST_ADDOPTS`` join the run.

The workspace's progress file is copied in first (so the run sees the hint levels already used)
and the kata's entries are merged back after, so ``torchkata progress`` and the notebook read
the same file.  Places in the report (``tensors.py:263 (to_numpy)``) are
turned back into the learner's cells (``cell [7], line 3, in to_numpy``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports import progress
from pytest_torchkata.reports.encode import one_line

REPORT = "report.json"


@dataclass
class Graded:
    """What one check found: the JSON report (None when grading did not finish) and notes."""

    kata: str
    report: dict | None
    notes: list[str] = field(default_factory=list)
    task_number: int | None = None
    seconds: float = 0.0

    def kata_report(self) -> dict | None:
        for found in (self.report or {}).get("katas", []):
            if found.get("name") == self.kata:
                return found
        return None


def pytest_command(kata: str, folder: Path, lang: str, task_number: int | None, isolate: bool) -> list[str]:
    """The command line that grades ``folder/KATA.py`` (``-k N``: task N alone)."""
    command = [sys.executable, "-m", "pytest", "-q", "-c", str(folder / "pytest.ini"), "-p", "no:cacheprovider",
               "-p", "pytest_torchkata.plugin",  # with the kata packs' plugins, the only ones (``grading_env``)
               *[arg for name in _pack_plugins() for arg in ("-p", name)],
               f"--kata={kata}", f"--kata-dir={folder}", f"--kata-report={folder / REPORT}",
               "--kata-report-format=json", f"--kata-lang={lang}"]
    if task_number is not None:
        command += ["-k", str(task_number)]
    if isolate:
        command.append("--kata-isolate")
    return command


def _pack_plugins() -> list[str]:
    """The module names of the installed kata packs' plugins (``registry.installed``): autoloading
    is off in a grading run, so a pack's kata is graded only if its plugin is named."""
    from pytest_torchkata.registry import installed

    return [name for name in (getattr(m, "__name__", "") for m in installed().plugins) if name]


def grade(kata: str, source: str, workspace: Path, lang: str, *, task_number: int | None = None,
          isolate: bool = False, place: Callable[[int], str | None] | None = None) -> Graded:
    """Grade ``source`` as the learner file of ``kata``; ``place(line)`` names a line of it
    for the learner (None: leave the place as pytest wrote it)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="torchkata-check-") as tmp:
        folder = Path(tmp)
        (folder / f"{kata}.py").write_text(source, encoding="utf-8")
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # no ini of the kernel's folder
        _copy_progress(workspace, folder)
        code, output = _pytest(pytest_command(kata, folder, lang, task_number, isolate), folder)
        report = _read_report(folder / REPORT)
        graded = Graded(kata, report, task_number=task_number)
        if report is None:
            graded.notes.append(_no_report(code, output))
        else:
            _merge_progress(folder, workspace, kata)
            if place is not None:
                relabel(report, re.escape(f"{kata}.py"), place)
    graded.seconds = round(time.monotonic() - started, 2)
    return graded


def grading_env() -> dict[str, str]:
    """The kernel's environment, less what would bring other pytest plugins or options into the
    grading run (as ``torchkata grade`` runs pytest)."""
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _pytest(command: list[str], folder: Path) -> tuple[int, str]:
    """Run pytest (``command`` less the interpreter) in the warm helper, else in a fresh process;
    its exit code and output."""
    from pytest_torchkata.notebook import warm

    env = grading_env()
    log = folder / "pytest.log"
    code = warm.run(command[3:], str(folder), env, str(log))
    if code is not None:
        try:
            return code, log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return code, ""
    done = subprocess.run(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")
    return done.returncode, done.stdout


def _read_report(path: Path) -> dict | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _no_report(code: int, output: str) -> str:
    last = next((line for line in reversed(output.splitlines()) if line.strip()), "")
    return tr("grading did not finish (pytest exited with code {code}): {last}",
              "评分没有完成（pytest 的退出码为 {code}）：{last}", code=code, last=one_line(last)[:300])


def _copy_progress(workspace: Path, folder: Path) -> None:
    found, _ = progress.read(workspace)
    if found:
        progress.save(folder, found)


def _merge_progress(folder: Path, workspace: Path, kata: str) -> None:
    """The graded kata's entries of the run's progress file, merged into the workspace's (read
    again now: a ``torchkata hint`` in a terminal meanwhile is kept)."""
    graded = progress.load(folder).get(kata, {})
    if not graded:
        return
    mine = progress.load(workspace)
    for task_id, found in graded.items():
        target = progress.entry(mine, kata, task_id)
        seen = max(progress.hints_seen(mine, kata, task_id), int(found.get("hints_seen", 0)))
        solved = target.get("solved") is True or found.get("solved") is True
        target.update(found)
        target.update(hints_seen=seen, solved=solved)
    try:
        workspace.mkdir(parents=True, exist_ok=True)
        progress.save(workspace, mine)
    except OSError:
        pass  # a read-only workspace keeps no progress, as in the plugin


# ``tensors.py:263 (to_numpy): return ...`` (the report's ``where``) and ``File "tensors.py", line 263, in f``
# (a path's first character, so ``my_tensors.py`` is another file)
_PLACE = r"(?<![\w.\\/-])(?:[^\s()'\"]*[\\/])?{file}:(\d+)(?: \(([^()\s]+)\))?"
_FRAME = r"File \"(?:[^\"]*[\\/])?{file}\", line (\d+)(?:, in ([^\s,]+))?"


def relabel(report: dict, file: str, place: Callable[[int], str | None]) -> None:
    """Every place in ``report``'s messages that points into ``file`` (a regex), named by ``place``."""
    patterns = [re.compile(_PLACE.format(file=file)), re.compile(_FRAME.format(file=file))]

    def named(found: re.Match) -> str:
        where = place(int(found.group(1)))
        if where is None:
            return found.group(0)
        function = found.group(2)
        if not function or function == "<module>":
            return where
        return tr("{where}, in {function}", "{where}，{function} 中", where=where, function=function)

    def fix(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        for pattern in patterns:
            text = pattern.sub(named, text)
        return text

    for kata in report.get("katas", []):
        for task in kata.get("tasks", []):
            task["message"] = fix(task.get("message"))
            for check in task.get("checks", []):
                check["message"], check["where"] = fix(check.get("message")), fix(check.get("where"))
    report["warnings"] = [fix(w) for w in report.get("warnings", [])]
