"""What the notebook shows: HTML where the front end renders it, plain text elsewhere.

Every displayed object is a ``Shown``: its text and HTML are made once, in the language that
was current when it was made.  Learner text (messages, hints, titles, code) goes through
``html.escape`` in HTML and ``encode.for_terminal`` in text: nothing in it becomes markup.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from pytest_torchkata.i18n import tr
from pytest_torchkata.reports.display import ljust, width
from pytest_torchkata.reports.encode import for_terminal
from pytest_torchkata.status import Status

_COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "not_started": "#9a6700",
            "skipped": "#6e7781"}


def esc(text: Any) -> str:
    return html.escape(for_terminal(text))


class Shown:
    """A result for the notebook: ``_repr_html_`` for Jupyter, Colab, VS Code; text elsewhere."""

    def __init__(self, text: str, html_body: str) -> None:
        self.text = text
        self.html = html_body

    def _repr_html_(self) -> str:
        return self.html

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def note(text: str) -> Shown:
    """A message in one paragraph (a usage problem, a kata that cannot be checked)."""
    return Shown(for_terminal(text), f'<div class="torchkata"><p>{esc(text).replace(chr(10), "<br>")}</p></div>')


def lines(title: str, rows: list[str], tail: list[str] = ()) -> Shown:
    """A title, numbered or preformatted rows (hints, progress, a listing) and closing lines."""
    text = "\n".join([for_terminal(title)] + [for_terminal(r) for r in rows] + [for_terminal(t) for t in tail])
    body = "".join(f"<pre>{esc(r)}</pre>" for r in rows)
    closing = "".join(f"<p>{esc(t)}</p>" for t in tail)
    return Shown(text, f'<div class="torchkata"><p><b>{esc(title)}</b></p>{body}{closing}</div>')


def _points(x: Any) -> str:
    return f"{float(x or 0):g}"


def _word(status: str) -> str:
    return Status(status).word if status in Status._value2member_map_ else status


def check_view(kata: dict, task_number: int | None, notes: list[str], seconds: float) -> Shown:
    """The result of ``tk.check``: per task its status, points and most telling message, then
    the next task's first hint level and what to call for more."""
    name = kata["name"]
    tasks = [t for t in kata["tasks"] if task_number is None or t["number"] == task_number]
    graded = [t for t in tasks if t["status"] != Status.SKIPPED or task_number is not None]
    score = sum(float(t["score"] or 0) for t in graded)
    total = sum(float(t["max_score"] or 0) for t in graded)
    title = (tr("{kata} - {title}: {score}/{total} points", "{kata} - {title}：{score}/{total} 分",
                kata=name, title=kata.get("title", ""), score=_points(score), total=_points(total)))
    text, rows = [title], []
    word_width = max((width(_word(t["status"])) for t in graded), default=0) + 2
    head_width = max((width(f"{t['number']}. {t['title']}") for t in graded), default=0) + 2
    for task in graded:
        head = f"{task['number']}. {task['title']}"
        pts = f"{_points(task['score'])}/{_points(task['max_score'])}"
        text.append(f"  {ljust(_word(task['status']), word_width)}{ljust(head, head_width)}{pts}")
        message = task["message"] if task["status"] != Status.PASSED else ""
        if message:
            text.append(f"      {message}")
        colour = _COLOURS.get(task["status"], "inherit")
        rows.append(f'<tr><td style="color:{colour};font-weight:bold">{esc(_word(task["status"]))}</td>'
                    f'<td style="text-align:left">{esc(head)}</td><td>{esc(pts)}</td></tr>')
        if message:
            rows.append(f'<tr><td></td><td colspan="2" style="text-align:left">{esc(message)}</td></tr>')
    tail = _next_steps(name, graded)
    tail += notes
    text += [f"  {line}" for line in tail]
    html_rows = "".join(rows)
    closing = "".join(f"<p>{esc(line)}</p>" for line in tail)
    curve = loss_curve(graded)
    body = (f'<div class="torchkata"><p><b>{esc(title)}</b> <small>({esc(_points(seconds))} s)</small></p>'
            f"<table>{html_rows}</table>{closing}{curve}</div>")
    return Shown(for_terminal("\n".join(text)), body)


def _next_steps(kata: str, tasks: list[dict]) -> list[str]:
    nxt = next((t for t in tasks if Status(t["status"]).counts_against), None) if tasks else None
    if nxt is None:
        if len(tasks) == 1 and tasks[0]["status"] == Status.PASSED:
            return [tr("Task {number} passed. Its reference: tk.solution({kata!r}, {number})",
                       "任务 {number} 通过了。参考答案：tk.solution({kata!r}, {number})",
                       number=tasks[0]["number"], kata=kata)]
        if tasks and all(t["status"] == Status.PASSED for t in tasks):
            return [tr("All tasks passed. Well done!", "所有任务都通过了，做得好！")]
        return []
    steps = [tr('Next: task {number}, "{title}" ({status}).', "下一个：任务 {number}“{title}”（{status}）。",
                number=nxt["number"], title=nxt["title"], status=_word(nxt["status"]))]
    if nxt.get("hint"):
        steps.append(tr("Hint: {hint}", "提示：{hint}", hint=nxt["hint"]))
    steps.append(tr("More help: tk.hint({kata!r}, {number})", "更多提示：tk.hint({kata!r}, {number})",
                    kata=kata, number=nxt["number"]))
    return steps


def loss_curve(tasks: list[dict]) -> str:
    """An inline PNG of the first ``loss_history`` among the tasks' data; "" without matplotlib."""
    history = next((t["data"]["loss_history"] for t in tasks
                    if isinstance(t.get("data"), dict) and t["data"].get("loss_history")), None)
    if not isinstance(history, list) or not all(x is None or isinstance(x, (int, float)) for x in history):
        return ""
    history = [float("nan") if x is None else x for x in history]  # a non-finite loss: a gap
    try:
        # no pyplot: the kernel's own backend stays as it is
        from matplotlib.figure import Figure
    except ImportError:  # no matplotlib: the table says enough
        return ""
    figure = Figure(figsize=(4, 2.5))
    axes = figure.subplots()
    axes.plot(range(1, len(history) + 1), history)
    axes.set_xlabel(tr("step", "步数"))
    axes.set_ylabel(tr("loss", "损失"))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{esc(tr("loss curve", "损失曲线"))}" src="data:image/png;base64,{encoded}">'
