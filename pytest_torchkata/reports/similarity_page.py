"""The similarity report's files: ``similarity.csv`` and ``similarity.html``.

``similarity.csv``: a row per pair and kata over the threshold, pairs similar in several katas
first: the kata, the two students, each one's share of matching code, and how many (and which)
katas the pair is similar in.

``similarity.html``: one self-contained page (inline CSS, no script, no external request),
in the current language, readable on a phone.  A table of the pairs, then per pair and kata
the two files side by side, the matching code marked and long stretches between matches
folded.  Everything from a submission (student names, file names, code) is escaped: code
with markup or bidi controls in it shows as text.  The page shows the first ``MAX_PAIRS``
pairs; the CSV has them all.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from pytest_torchkata.i18n import language, tr
from pytest_torchkata.reports.encode import csv_row, for_terminal
from pytest_torchkata.reports.formats import atomic_write
from pytest_torchkata.reports.similarity import Match, Similarity

CSV_NAME = "similarity.csv"
HTML_NAME = "similarity.html"
FILES = (CSV_NAME, HTML_NAME)
CSV_COLUMNS = ["kata", "student_a", "student_b", "similarity_a", "similarity_b", "pair_katas", "pair_kata_names"]
MAX_PAIRS = 100
CONTEXT = 3  # lines shown around matching code; longer stretches between matches are folded

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","PingFang SC",sans-serif;margin:0;
color:#1b1b1b;background:#fafafa}
main{max-width:80rem;margin:auto;padding:1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1rem;margin:.3rem 0}
.note{color:#444}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
details{margin:.6rem 0;border:1px solid #ddd;border-radius:6px;background:#fff}
summary{padding:.4rem .6rem;cursor:pointer;font-weight:600}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr));gap:.6rem;padding:.6rem}
pre{margin:0;padding:.4rem;overflow-x:auto;background:#f4f4f4;border-radius:4px;font-size:13px;line-height:1.35}
mark{background:#ffd84d;color:inherit}
.ln{display:inline-block;min-width:2.5em;color:#888;user-select:none}
.fold{color:#888;font-style:italic}
.high{color:#a40000;font-weight:600}
"""


def write_similarity(out: Path, result: Similarity) -> tuple[Path, Path]:
    """Write both files into ``out``; returns their paths."""
    csv_path, html_path = out / CSV_NAME, out / HTML_NAME
    with atomic_write(csv_path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for pair in result.pairs:
            for match in pair.matches:
                writer.writerow(csv_row([match.kata, pair.a, pair.b, match.share_a, match.share_b,
                                         len(pair.matches), ";".join(pair.katas)]))
    with atomic_write(html_path) as fh:
        fh.write(page(result))
    return csv_path, html_path


def _e(text: object) -> str:
    """Submission text as inert HTML: control and bidi characters visible, markup escaped."""
    return html.escape(for_terminal(str(text)))


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def page(result: Similarity) -> str:
    """The whole page as one string."""
    shown = result.pairs[:MAX_PAIRS]
    parts = [f'<!DOCTYPE html>\n<html lang="{language()}">\n<head>\n<meta charset="utf-8">\n'
             '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f'<title>{_e(tr("Similar code", "相似的代码"))}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n'
             f'<h1>{_e(tr("Similar code", "相似的代码"))}</h1>\n']
    parts.append('<p class="note">' + _e(tr(
        "{students} students, {katas} katas compared (each kata's files pairwise, on this machine, with "
        "copydetect; names and strings do not matter, the code every student was given never counts). "
        "A pair is listed for a kata when either student's share of matching code is {threshold} or more "
        "and the matching code is more than about two lines; "
        "pairs similar in several katas come first. Similar code is a reason to look, never proof: a short "
        "task has few ways to be solved.",
        "比较了 {students} 名学生的 {katas} 个练习（每个练习的文件两两比较，在本机用 copydetect 完成；变量名和字符串"
        "不影响结果，发给所有学生的代码从不计入）。某个练习里任一名学生的相同代码占比达到 {threshold} "
        "且相同的代码超过大约两行时列出这一对；在多个练习里相似的学生对排在前面。代码相似只是值得查看的理由，不是抄袭的证据：简短的任务本来就没有几种写法。",
        students=len(result.students), katas=len(result.katas), threshold=_percent(result.threshold))) + "</p>\n")
    if result.without_stub:
        parts.append('<p class="note">' + _e(tr(
            "The given code of {katas} was not found: there, code from the stub counts too.",
            "没有找到 {katas} 发下去的代码：在这些练习里，练习文件本来的代码也会计入。",
            katas=", ".join(result.without_stub))) + "</p>\n")
    parts.append(_pair_table(result, shown))
    parts.extend(_pair_section(n, pair) for n, pair in enumerate(shown, start=1))
    if result.skipped:
        parts.append(f'<h2>{_e(tr("Files not compared", "没有比较的文件"))}</h2>\n<ul>\n')
        parts.extend(f"<li>{_e(s.student)}: {_e(s.file)}: {_e(s.why)}</li>\n" for s in result.skipped)
        parts.append("</ul>\n")
    parts.append("</main>\n</body>\n</html>\n")
    return "".join(parts)


def _pair_table(result: Similarity, shown: list) -> str:
    if not result.pairs:
        return "<p>" + _e(tr("No pair of students reaches the threshold.", "没有哪一对学生达到阈值。")) + "</p>\n"
    head = [tr("Student A", "学生 A"), tr("Student B", "学生 B"), tr("Similar katas", "相似的练习数"),
            tr("Highest share", "最高占比"), tr("Katas (share of A / of B)", "练习（A 的占比 / B 的占比）")]
    rows = ["<table>\n<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>\n<tbody>\n"]
    for n, pair in enumerate(shown, start=1):
        katas = ", ".join(f'<a href="#pair-{n}-{_e(m.kata)}">{_e(m.kata)}</a> '
                          f"{_percent(m.share_a)} / {_percent(m.share_b)}" for m in pair.matches)
        many = ' class="num high"' if len(pair.matches) > 1 else ' class="num"'
        rows.append(f'<tr><td><a href="#pair-{n}">{_e(pair.a)}</a></td><td>{_e(pair.b)}</td>'
                    f'<td{many}>{len(pair.matches)}</td><td class="num">{_percent(pair.best)}</td>'
                    f"<td>{katas}</td></tr>\n")
    rows.append("</tbody>\n</table>\n")
    if len(result.pairs) > len(shown):
        rows.append('<p class="note">' + _e(tr(
            "The page shows the first {shown} of {total} pairs; {csv} lists them all.",
            "本页只显示 {total} 对中的前 {shown} 对；{csv} 列出了全部。",
            shown=len(shown), total=len(result.pairs), csv=CSV_NAME)) + "</p>\n")
    return "".join(rows)


def _pair_section(n: int, pair) -> str:
    parts = [f'<h2 id="pair-{n}">{_e(pair.a)} &amp; {_e(pair.b)}</h2>\n']
    for m in pair.matches:
        parts.append(f'<details open id="pair-{n}-{_e(m.kata)}"><summary>{_e(m.kata)}: '
                     f"{_e(pair.a)} {_percent(m.share_a)} · {_e(pair.b)} {_percent(m.share_b)}</summary>\n"
                     f'<div class="sides">\n{_side(m, "a")}{_side(m, "b")}</div>\n</details>\n')
    return "".join(parts)


def _side(match: Match, which: str) -> str:
    doc, spans = (match.a, match.spans_a) if which == "a" else (match.b, match.spans_b)
    return f"<div><h3>{_e(doc.student)}: {_e(doc.file)}</h3>\n<pre>{marked_code(doc.code, spans)}</pre></div>\n"


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif end > start:
            merged.append((start, end))
    return merged


def marked_code(code: str, spans: list[tuple[int, int]], context: int = CONTEXT) -> str:
    """``code`` as escaped HTML lines with their numbers, the ``spans`` (character ranges) in
    ``<mark>``; a stretch of more than ``2 * context`` lines without a mark is folded."""
    spans = _merged(spans)
    lines, start = [], 0
    for text in code.split("\n"):
        lines.append((start, text))
        start += len(text) + 1
    first, touched, k = [], [], 0  # per line: the first span not ending before it; whether one touches it
    for begin, text in lines:
        while k < len(spans) and spans[k][1] <= begin:
            k += 1
        first.append(k)
        touched.append(k < len(spans) and spans[k][0] <= begin + len(text))
    near = [any(touched[max(0, i - context): i + context + 1]) for i in range(len(lines))]
    out, folded = [], 0
    for number, ((begin, text), keep) in enumerate(zip(lines, near), start=1):
        if not keep:
            folded += 1
            continue
        if folded:
            out.append(_fold(folded))
            folded = 0
        out.append(f'<span class="ln">{number}</span>{_line(text, begin, spans[first[number - 1]:])}')
    if folded:
        out.append(_fold(folded))
    return "\n".join(out)


def _fold(count: int) -> str:
    return '<span class="fold">' + _e(tr("⋯ {count} lines ⋯", "⋯ {count} 行 ⋯", count=count)) + "</span>"


def _line(text: str, begin: int, spans: list[tuple[int, int]]) -> str:
    """One line of code with the parts inside ``spans`` marked."""
    pieces, at, end = [], 0, len(text)
    for s, e in spans:
        s, e = max(s - begin, 0), min(e - begin, end)
        if s >= end:
            break  # spans are sorted: the rest start after this line
        if e <= at:
            continue
        s = max(s, at)
        pieces.append(_e(text[at:s]))
        pieces.append(f"<mark>{_e(text[s:e])}</mark>")
        at = e
    pieces.append(_e(text[at:]))
    return "".join(pieces)
