"""The class's HTML pages: ``DIR/report.html`` for the instructor and
``DIR/STUDENT/feedback.html`` for each student, both from the students' JSON reports
(``write_html_reports``, called by ``torchkata grade`` and ``torchkata merge`` alike).

The class page: the score distributions (total and per kata), per task the item
statistics and flags (``itemstats``: what each column means is said under the
table), the reliability, the misconception table (``html_items``), the heat map
(a PNG when matplotlib is installed, else a sentence saying how to get it), every
student with a link to their page, and the students who were not graded, with why.
Written in the grading language; every text that came from a submission (student
names, messages, titles) goes through ``esc``.
"""

from __future__ import annotations

import base64
import statistics
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from pytest_torchkata.i18n import LANGUAGES, Text, tr
from pytest_torchkata.i18n import language as current_language
from pytest_torchkata.reports import itemstats as st
from pytest_torchkata.reports.html import esc, num, num_cell, page, pct, points, table, write_page
from pytest_torchkata.reports.html_feedback import write_feedback_html
from pytest_torchkata.reports.html_figures import heat_map_png, histogram_svg, profile_svg
from pytest_torchkata.reports.html_items import ClassData, gather, heat_grid, timed_out
from pytest_torchkata.reports.instructor import in_language

CLASS_PAGE = "report.html"
STUDENT_PAGE = "feedback.html"
FOLDER_MODE = 0o700  # like every class folder (classbook.FOLDER_MODE)


def write_html_reports(out: Path, reports: Mapping[str, Optional[dict]], language: Optional[str] = None,
                       notes: Optional[Mapping[str, str]] = None) -> None:
    """``out/report.html`` and ``out/STUDENT/feedback.html`` for each student.
    ``reports``: student -> JSON report (``None`` or ``{}``: not graded); ``language``:
    the class page's, by default the one most reports were graded in; ``notes``:
    student -> what the grader has to say beyond the report (why it was not graded)."""
    notes = notes or {}
    for student, report in reports.items():
        if _safe_name(student):
            folder = out / student
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            write_feedback_html(folder / STUDENT_PAGE, student, report or None, notes.get(student, ""))
    write_page(out / CLASS_PAGE, class_page(reports, language, notes))


def _safe_name(student: str) -> bool:
    """A student's name that is one folder inside the output folder."""
    return bool(student) and student not in (".", "..") and Path(student).name == student and "\\" not in student


def _page_language(reports: Mapping[str, Optional[dict]], chosen: Optional[str]) -> str:
    if chosen in LANGUAGES:
        return chosen
    used = Counter((r or {}).get("language") for r in reports.values())
    common = [lang for lang, _ in used.most_common() if lang in LANGUAGES]
    return common[0] if common else current_language()


def class_page(reports: Mapping[str, Optional[dict]], language: Optional[str] = None,
               notes: Optional[Mapping[str, str]] = None) -> str:
    data = gather(reports, notes)
    with in_language(_page_language(reports, language)):
        title = tr("Class report", "班级报告")
        body = [f"<h1>{esc(title)}</h1>", _summary(data), _contents(),
                _distributions(data), _tasks(data), _misconceptions(data), _heat_map(data),
                _students(data, reports), _apart(data)]
        return page(title, "\n".join(b for b in body if b), current_language(), sortable=True)


def _summary(data: ClassData) -> str:
    n = len(data.students)
    kind, value = data.reliability
    name = tr("KR-20", "KR-20") if kind == "KR-20" else tr("Cronbach's alpha", "Cronbach α 系数")
    facts = [tr("{n} graded students", "已评分学生 {n} 人", n=n)]
    if data.apart:
        facts.append(tr("{n} not graded (listed at the end)", "未评分 {n} 人（列在最后）", n=len(data.apart)))
    facts.append(tr("{n} tasks", "{n} 个任务", n=len(data.items)))
    if n:
        facts.append(tr("mean total {mean} / {max} points, median {median}", "平均总分 {mean} / {max} 分，中位数 {median}",
                        mean=f"{statistics.fmean(data.totals):.1f}", max=points(data.max_total),
                        median=f"{statistics.median(data.totals):.1f}"))
    reliability = (tr("reliability ({name}): {value}", "信度（{name}）：{value}", name=name, value=num(value))
                   if value is not None else
                   tr("reliability ({name}): not defined (fewer than two tasks, or every total the same)",
                      "信度（{name}）：无法计算（少于两个任务，或者总分都一样）", name=name))
    return "<p>" + esc(tr("; ", "；").join(facts) + tr(".", "。")) + "<br>" + esc(reliability) + "</p>"


def _contents() -> str:
    links = [("distributions", tr("Score distributions", "分数分布")), ("tasks", tr("Tasks", "任务")),
             ("misconceptions", tr("Misconceptions", "常见错误")), ("heatmap", tr("Heat map", "热图")),
             ("students", tr("Students", "学生"))]
    return "<p>" + " · ".join(f'<a href="#{anchor}">{esc(text)}</a>' for anchor, text in links) + "</p>"


def _distributions(data: ClassData) -> str:
    parts = [f'<h2 id="distributions">{esc(tr("Score distributions", "分数分布"))}</h2>']
    if not data.students:
        return parts[0] + "<p>" + esc(tr("No graded student.", "没有已评分的学生。")) + "</p>"
    label = tr("Totals: students per tenth of {max} points", "总分：每个十分之一区间（满分 {max}）的学生人数",
               max=points(data.max_total))
    figures = [f"<figure>{histogram_svg(st.histogram(data.totals, 0, data.max_total), 0, data.max_total, label)}"
               f"<figcaption>{esc(label)}</figcaption></figure>"]
    for name, title, top, scores in data.katas:
        label = tr("{kata}: students per score (of {max} points)", "{kata}：各分数段的学生人数（满分 {max}）",
                   kata=title, max=points(top))
        figures.append(f"<figure>{histogram_svg(st.histogram(scores, 0, top), 0, top, label, 220, 100)}"
                       f"<figcaption>{esc(title)} <code>{esc(name)}</code></figcaption></figure>")
    return parts[0] + '<div class="figs">' + "".join(figures) + "</div>"


FLAG_WORDS = {"low_discrimination": Text("low discrimination", "区分度低"),
              "too_hard": Text("hard", "太难"), "too_easy": Text("easy", "太容易")}


def _tasks(data: ClassData) -> str:
    head = [tr("task", "任务"), tr("points", "分值"),
            tr("students", "人数"), tr("difficulty", "难度"), tr("full marks", "满分"),
            tr("not started", "未开始"), tr("errors", "出错"), tr("time-outs", "超时"),
            tr("r (corrected)", "r（校正）"), tr("D (upper−lower)", "D（高分组−低分组）"),
            tr("quintiles", "五分位"), tr("flags", "标记")]
    rows = []
    for position, item in enumerate(data.items):
        profile_text = " ".join(pct(v) for v in item.profile)
        label = tr("mean share of points per fifth of the class, lowest first: {values}",
                   "班级每个五分之一组的平均得分率，从低到高：{values}", values=profile_text)
        flags = "".join(f'<span class="flag">{esc(str(FLAG_WORDS[f]))}</span>' for f in item.flags)
        rows.append([f'<td class="t" data-v="{position}"><code>{esc(item.kata)}</code> {item.number}. {esc(item.title)}</td>',
                     num_cell(item.max_score, points(item.max_score)), num_cell(item.students, str(item.students)),
                     num_cell(item.difficulty, pct(item.difficulty)), num_cell(item.full, pct(item.full)),
                     num_cell(item.not_started, str(item.not_started)), num_cell(item.errors, str(item.errors)),
                     num_cell(item.timeouts, str(item.timeouts)), num_cell(item.r, num(item.r)),
                     num_cell(item.d, num(item.d)),
                     f'<td class="q">{profile_svg(item.profile, label)} <span class="muted">{esc(profile_text)}</span></td>',
                     f'<td data-v="{len(item.flags)}">{flags}</td>'])
    legend = tr("Difficulty: the mean share of the task's points. Full marks: the share of students with all of "
                "them. r: the correlation of the task's score with the total without it (PrairieLearn's "
                "discrimination); D: the mean share of points of the top 27 % by total minus that of the bottom "
                "27 % (Moodle's discrimination index). Quintiles: the mean share of points in each fifth of the "
                "class by total, lowest first. Flags: r under {low}, difficulty under {hard} or over {easy}. "
                "Click a header to sort (needs scripts; the table reads the same without).",
                "难度：该任务的平均得分率。满分：得到全部分数的学生比例。r：该任务得分与去掉该任务后的总分的相关系数"
                "（PrairieLearn 的区分度）；D：总分最高的 27% 学生的平均得分率减去最低的 27% 的（Moodle 的区分度指数）。"
                "五分位：按总分分成五组后各组的平均得分率，从低到高。标记：r 低于 {low}，难度低于 {hard} 或高于 {easy}。"
                "点击表头可以排序（需要脚本；没有脚本时表格照样可读）。",
                low=st.LOW_DISCRIMINATION, hard=st.TOO_HARD, easy=st.TOO_EASY)
    return (f'<h2 id="tasks">{esc(tr("Tasks", "任务"))}</h2>'
            + table(head, rows, sortable=True, numeric=(1, 2, 3, 4, 5, 6, 7, 8, 9))
            + f'<p class="muted">{esc(legend)}</p>')


def _misconceptions(data: ClassData) -> str:
    heading = f'<h2 id="misconceptions">{esc(tr("Misconceptions", "常见错误"))}</h2>'
    if not data.misconceptions:
        return heading + "<p>" + esc(tr("No named mistake in these reports.", "这些报告中没有可识别的错误。")) + "</p>"
    n = len(data.students) or 1
    head = [tr("mistake", "错误"), tr("students", "人数"), tr("tasks (students)", "任务（人数）"),
            tr("students per fifth, lowest first", "各五分之一组的人数，从低到高"), tr("example wording", "示例信息")]
    rows = []
    for m in data.misconceptions:
        tasks = "<br>".join(f"{esc(kata)} {number}. {esc(title)} ({count})" for kata, number, title, count in m.tasks)
        rows.append([f"<code>{esc(m.id)}</code>", num_cell(m.students, f"{m.students} ({pct(m.students / n)})"),
                     f'<td class="t">{tasks}</td>', num_cell(_mean_fifth(m.quintiles), esc(" · ".join(map(str, m.quintiles)))),
                     f'<div class="msg">{esc(m.example)}</div>'])
    note = tr("Named mistakes, counted by what they are (not by their wording), most students first. "
              "A mistake made mostly in the lowest fifths is one the weaker students hold; one spread over all "
              "fifths, one the teaching may have planted.",
              "按错误本身（而不是信息的措辞）统计，人数多的在前。主要出现在低分组的错误是较弱的学生才有的；"
              "各组都有的错误可能来自教学本身。")
    return heading + table(head, rows, sortable=True, numeric=(1, 3)) + f'<p class="muted">{esc(note)}</p>'


def _mean_fifth(counts: list[int]) -> float:
    """Where in the class a mistake sits: the students' mean fifth (sorts the column)."""
    return sum(q * c for q, c in enumerate(counts)) / (sum(counts) or 1)


def _heat_map(data: ClassData) -> str:
    heading = f'<h2 id="heatmap">{esc(tr("Heat map", "热图"))}</h2>'
    if not data.students or not data.items:
        return heading + "<p>" + esc(tr("Nothing to draw.", "没有可画的内容。")) + "</p>"
    rows, columns, grid = heat_grid(data)
    try:
        png = heat_map_png(rows, columns, grid)
    except Exception as exc:  # a picture is optional: the tables above say the same
        return heading + "<p>" + esc(tr("The heat map could not be drawn: {error}", "无法绘制热图：{error}",
                                        error=f"{type(exc).__name__}: {exc}")) + "</p>"
    if png is None:
        return heading + '<p class="note">' + esc(tr(
            "No heat map: matplotlib is not installed (pip install \"pytest-torchkata[plots]\" adds it; then "
            "build the reports again). The task table above has the same numbers.",
            "没有热图：没有安装 matplotlib（pip install \"pytest-torchkata[plots]\" 可以安装；然后重新生成报告）。"
            "上面的任务表有同样的数字。")) + "</p>"
    alt = tr("The share of each task's points per student (rows, highest total on top) and task (columns): "
             "yellow all, dark blue none.", "每个学生（行，总分最高的在上面）在每个任务（列）上的得分率：黄色为满分，深蓝色为零分。")
    return (heading + f'<figure class="fig"><img alt="{esc(alt)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}"><figcaption>{esc(alt)}</figcaption></figure>')


def _students(data: ClassData, reports: Mapping[str, Optional[dict]]) -> str:
    head = [tr("student", "学生"), tr("total", "总分"), tr("share", "得分率"), tr("fifth", "五分位组"),
            tr("errors", "出错"), tr("time-outs", "超时")]
    rows = []
    for i, student in enumerate(data.students):
        tasks = [t for k in reports[student].get("katas", []) for t in k.get("tasks", [])]
        name = (f'<a href="{esc(quote(student, safe=""))}/{STUDENT_PAGE}">{esc(student)}</a>'
                if _safe_name(student) else esc(student))
        share = data.totals[i] / data.max_total if data.max_total else None
        errors = sum(t.get("status") == "error" for t in tasks)
        rows.append([name, num_cell(data.totals[i], points(data.totals[i])), num_cell(share, pct(share)),
                     num_cell(data.quintiles[i] + 1, str(data.quintiles[i] + 1)), num_cell(errors, str(errors)),
                     num_cell(sum(map(timed_out, tasks)), str(sum(map(timed_out, tasks))))])
    return f'<h2 id="students">{esc(tr("Students", "学生"))}</h2>' + table(head, rows, sortable=True,
                                                                           numeric=(1, 2, 3, 4, 5))


def _apart(data: ClassData) -> str:
    if not data.apart:
        return ""
    items = "".join(f"<li>{esc(student)}: {esc(why or tr('no report', '没有报告'))}</li>" for student, why in data.apart)
    return (f"<h2>{esc(tr('Not graded, so not counted above ({n})', '未评分，因此不计入以上统计（{n} 人）', n=len(data.apart)))}"
            f"</h2><ul>{items}</ul>")
