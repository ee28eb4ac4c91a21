"""The terminal summary a learner reads after every run."""

from __future__ import annotations

from typing import Any

from pytest_torchkata.reports.results import KataResult, SessionResult
from pytest_torchkata.status import Status


def _points(x: float) -> str:
    return f"{x:g}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_lines(kata: KataResult) -> list[str]:
    lines = []
    width = max((len(t.title) for t in kata.tasks), default=10) + 4
    for task in kata.tasks:
        score = f"{_points(task.score)}/{_points(task.max_score)}" if task.status != Status.SKIPPED else "-"
        lines.append(f"  {Status(task.status).word:<12} {f'{task.number}. {task.title}':<{width}} {score}")
        if task.status in (Status.FAILED, Status.ERROR) and task.message:
            lines.append(f"  {'':<12}   {_short(task.message)}")
        elif task.status == Status.SKIPPED and task.message:
            lines.append(f"  {'':<12}   {_short(task.message, 120)}")
    nxt = kata.next_task()
    if nxt is not None:
        lines.append(f"  Next: task {nxt.number}, \"{nxt.title}\" ({Status(nxt.status).word}).")
        if nxt.hint:
            lines.append(f"  Hint: {_short(nxt.hint, 240)}")
    elif kata.max_score:
        skipped = sum(1 for t in kata.tasks if t.status == Status.SKIPPED)
        lines.append("  All tasks passed. Well done!" if not skipped else
                     f"  All graded tasks passed; {skipped} skipped (see above).")
    return lines


def write_summary(terminal: Any, results: SessionResult) -> None:
    for kata in results.katas:
        terminal.write_sep("=", f"torchkata: {kata.name} - {kata.title}  "
                                f"{_points(kata.score)}/{_points(kata.max_score)} points")
        for line in summary_lines(kata):
            terminal.write_line(line)
    for warning in results.warnings:
        terminal.write_line(f"Warning: {warning}", yellow=True)
    if len(results.katas) > 1:
        terminal.write_line(f"Total: {_points(results.score)}/{_points(results.max_score)} points")
