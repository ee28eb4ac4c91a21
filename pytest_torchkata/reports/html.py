"""What every HTML page of ours shares: one self-contained file (inline CSS, pictures
inline, no request to anywhere), readable on a phone (a viewport, tables that scroll
sideways in their own box) and without scripts.

A page's Content-Security-Policy allows no request at all, inline styles, pictures
from ``data:`` only, and one script: ``SORT_SCRIPT`` (by its hash), which makes the
headers of a ``table.sortable`` sort it when clicked; without it the table reads
the same, in the order it was written.  So even a string that escaped ``for_html``
could not run or fetch anything.  Every text from a report goes through ``esc``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Optional

from pytest_torchkata.reports.encode import for_html as esc
from pytest_torchkata.reports.formats import atomic_write

__all__ = ["esc", "page", "table", "num_cell", "pct", "num", "points", "write_page", "SORT_SCRIPT"]

CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;
margin:0 auto;padding:12px;max-width:1400px;color:#1d232b;background:#fff}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #dde}
h3{font-size:1.05em;margin:1em 0 .3em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:.9em;margin:.3em 0}
th,td{border:1px solid #d4d8de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f1f3f6;position:sticky;top:0}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.sort{cursor:pointer}th.sort:after{content:" \\2195";color:#889}
.msg{white-space:pre-wrap;overflow-wrap:anywhere;font:.88em/1.4 ui-monospace,Menlo,Consolas,monospace;
background:#f7f7f9;border-left:3px solid #c33;padding:6px 8px;margin:.3em 0}
.hint{border-left:3px solid #2a7;background:#f3faf6;padding:6px 8px;margin:.3em 0}
.note{background:#fff8e1;border-left:3px solid #e0a800;padding:6px 8px}
.passed{color:#176c2f}.failed,.error{color:#b3261e;font-weight:600}.not_started{color:#666}.skipped{color:#888}
.flag{display:inline-block;background:#fde7e6;color:#8a1c14;border-radius:3px;padding:0 4px;margin:1px;
font-size:.85em;white-space:nowrap}
.muted{color:#667}td.q{white-space:nowrap;font-size:.85em}td.t{min-width:13em}td .msg{min-width:18em}td.q svg{vertical-align:middle}.fig{margin:.4em 0}.figs{display:flex;flex-wrap:wrap;gap:10px}
.figs figure{margin:0}figcaption{font-size:.85em;color:#445}
img,svg{max-width:100%;height:auto}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
@media (max-width:600px){body{padding:6px;font-size:14px}th,td{padding:2px 4px}}
"""

# sorts a table.sortable by the clicked header: by data-v (a number) where the cell has one,
# else by its text; a second click reverses
SORT_SCRIPT = (
    'function k(c){var v=c.getAttribute("data-v");return v===null?c.textContent.toLowerCase():parseFloat(v)}'
    'document.querySelectorAll("table.sortable").forEach(function(t){'
    't.querySelectorAll("thead th").forEach(function(h,i){h.classList.add("sort");h.tabIndex=0;'
    'function go(){var b=t.tBodies[0],r=[].slice.call(b.rows),d=h.getAttribute("data-d")==="d"?"a":"d";'
    'h.setAttribute("data-d",d);r.sort(function(x,y){var p=k(x.cells[i]),q=k(y.cells[i]);'
    'return (p<q?-1:p>q?1:0)*(d==="a"?1:-1)});r.forEach(function(x){b.appendChild(x)})}'
    'h.addEventListener("click",go);h.addEventListener("keydown",function(e){if(e.key==="Enter")go()})})});'
)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'")
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def page(title: str, body: str, lang: str = "en", sortable: bool = False) -> str:
    """A whole page: ``title`` is plain text (escaped here), ``body`` is HTML already
    made safe by its writer."""
    script = f"<script>{SORT_SCRIPT}</script>" if sortable else ""
    return ("<!DOCTYPE html>\n"
            f'<html lang="{HTML_LANG.get(lang, "en")}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
            f"<body>\n{body}\n{script}</body></html>\n")


def table(head: Sequence[str], rows: Iterable[Sequence[str]], *, sortable: bool = False,
          numeric: Sequence[int] = (), caption: str = "") -> str:
    """A table in a box that scrolls sideways on a narrow screen.  ``head``: plain texts
    (escaped here); ``rows``: cells that are HTML already (``<td>`` added here unless the
    cell starts with ``<td``); ``numeric``: the columns aligned right."""
    right = set(numeric)
    cls = ' class="sortable"' if sortable else ""
    ths = "".join(f'<th{" class=n" if i in right else ""} scope="col">{esc(h)}</th>' for i, h in enumerate(head))
    out = [f'<div class="scroll"><table{cls}>']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append(f"<thead><tr>{ths}</tr></thead><tbody>")
    for row in rows:
        cells = [c if c.startswith("<td") else (f'<td class="n">{c}</td>' if i in right else f"<td>{c}</td>")
                 for i, c in enumerate(row)]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def num_cell(value: Optional[float], text: str) -> str:
    """A right-aligned cell that sorts by ``value`` (missing values sort first)."""
    return f'<td class="n" data-v="{-1e9 if value is None else round(value, 6)}">{text}</td>'


def pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def num(value: Optional[float], digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def points(value: float) -> str:
    return f"{value:g}"


def write_page(path: Path, text: str) -> None:
    """Write a page atomically; like every class file, readable by its owner only."""
    with atomic_write(path) as fh:
        fh.write(text)
