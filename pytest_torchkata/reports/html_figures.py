"""Pictures for the HTML pages: small inline SVG drawn here (score distributions, a
task's quintile profile, a loss curve), which need nothing installed, and the class's
heat map as a PNG through matplotlib (the ``plots`` extra) when it is installed.

Each SVG scales with the page (a ``viewBox``) and says its numbers in a ``<title>``
and an ``aria-label``, so a reader without the picture still has them.  Every text
put into a picture goes through ``esc``.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from typing import Optional

from pytest_torchkata.reports.html import esc

BAR = "#4a78b5"
LOW_BAR = "#c9d6ea"


def _svg(width: int, height: int, label: str, inner: str) -> str:
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>{inner}</svg>')


def histogram_svg(counts: Sequence[int], low: float, high: float, label: str,
                  width: int = 320, height: int = 130) -> str:
    """Bars of ``counts`` over equal bins from ``low`` to ``high``, with both ends and
    the tallest count written on the axes."""
    top = max(counts, default=0) or 1
    left, bottom, plot_h = 28, 18, height - 26
    bar_w = (width - left - 4) / max(1, len(counts))
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 2}" y2="{height - bottom}" stroke="#889"/>']
    step = (high - low) / max(1, len(counts))
    for i, c in enumerate(counts):
        h = plot_h * c / top
        x = left + i * bar_w
        parts.append(f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{bar_w - 2:.1f}" '
                     f'height="{h:.1f}" fill="{BAR}"><title>{low + i * step:g}–{low + (i + 1) * step:g}: '
                     f'{c}</title></rect>')
    parts.append(f'<text x="{left - 3}" y="{height - bottom - plot_h + 9}" font-size="10" '
                 f'text-anchor="end">{top}</text>')
    parts.append(f'<text x="{left - 3}" y="{height - bottom}" font-size="10" text-anchor="end">0</text>')
    parts.append(f'<text x="{left}" y="{height - 4}" font-size="10">{low:g}</text>')
    parts.append(f'<text x="{width - 2}" y="{height - 4}" font-size="10" text-anchor="end">{high:g}</text>')
    return _svg(width, height, label, "".join(parts))


def profile_svg(profile: Sequence[Optional[float]], label: str) -> str:
    """Five bars, the mean share of points of each fifth of the class, lowest fifth first."""
    parts = []
    for i, share in enumerate(profile):
        h = 16 * (share or 0.0)
        parts.append(f'<rect x="{i * 11}" y="{18 - h:.1f}" width="9" height="{max(h, 0.6):.1f}" '
                     f'fill="{BAR if share is not None else LOW_BAR}"/>')
    return _svg(55, 19, label, "".join(parts))


def curve_svg(values: Sequence[Optional[float]], label: str, width: int = 320, height: int = 110) -> str:
    """A loss curve: ``None`` (NaN or infinite) shows as a red mark at the top and breaks
    the line; a log scale when every loss is positive and they span more than 20x."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return _svg(width, height, label, f'<text x="8" y="20" font-size="11" fill="#b3261e">{esc(label)}</text>')
    log = min(finite) > 0 and max(finite) / min(finite) > 20
    scale = (lambda v: math.log10(v)) if log else (lambda v: v)
    lo, hi = min(map(scale, finite)), max(map(scale, finite))
    span = hi - lo or 1.0
    left, top, plot_w, plot_h = 40, 6, width - 46, height - 24
    n = max(1, len(values) - 1)
    runs, run, marks = [], [], []
    for i, v in enumerate(values):
        x = left + plot_w * i / n
        if v is None or not math.isfinite(v):
            marks.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + 6}" stroke="#b3261e" stroke-width="2"/>')
            runs.append(run)
            run = []
            continue
        run.append(f"{x:.1f},{top + plot_h * (1 - (scale(v) - lo) / span):.1f}")
    runs.append(run)
    lines = [f'<polyline fill="none" stroke="{BAR}" stroke-width="1.6" points="{" ".join(r)}"/>' for r in runs if r]
    axis = (f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#889"/>'
            f'<text x="{left - 3}" y="{top + 8}" font-size="10" text-anchor="end">{max(finite):.3g}</text>'
            f'<text x="{left - 3}" y="{top + plot_h}" font-size="10" text-anchor="end">{min(finite):.3g}</text>'
            f'<text x="{left}" y="{height - 4}" font-size="10">1</text>'
            f'<text x="{left + plot_w}" y="{height - 4}" font-size="10" text-anchor="end">{len(values)}</text>')
    if log:
        axis += f'<text x="{left - 3}" y="{top + 20}" font-size="9" fill="#667" text-anchor="end">(log)</text>'
    return _svg(width, height, label, axis + "".join(lines) + "".join(marks))


def heat_map_png(rows: Sequence[str], columns: Sequence[str], grid: Sequence[Sequence[float]]) -> Optional[bytes]:
    """The share of points per student (rows) and task (columns) as PNG bytes; ``None``
    without matplotlib.  Row names are drawn for up to 80 students; the picture's size is
    bounded, so a class of a thousand stays a picture of a few hundred kilobytes.  The
    page around it says what it shows, in the page's language."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    if not rows or not columns:
        return None
    named = len(rows) <= 80
    width, height = min(16, max(6, 0.17 * len(columns) + 2.5)), min(14, max(3, 0.16 * len(rows) + 1.5))
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    # margins from the longest labels (6-point text, about 0.05 inch a character): matplotlib's
    # tight_layout would draw the whole picture once more to measure them
    longest = max(map(len, columns)) * 0.05 + 0.25
    left = (max(map(len, rows)) * 0.05 + 0.25 if named else 0.3) / width
    fig.subplots_adjust(left=min(0.45, left), right=0.9, top=0.98, bottom=min(0.45, longest / height))
    ax = fig.add_subplot()
    image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    # parse_math off: a student named "$x^$" is a name, not broken mathtext
    font = {"fontsize": 6, "parse_math": False, "fontfamily": _fonts()}
    ax.set_xticks(range(len(columns)), list(columns), rotation=90, **font)
    if named:
        ax.set_yticks(range(len(rows)), list(rows), **font)
    else:
        ax.set_yticks([])
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph no installed font has (a name in another script): a box
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _fonts() -> list[str]:
    """matplotlib's own font, then installed fonts with Chinese glyphs for names in Chinese."""
    from matplotlib import font_manager

    cjk = sorted({f.name for f in font_manager.fontManager.ttflist
                  if any(word in f.name for word in ("CJK", "WenQuanYi", "Hei", "Song", "Ming", "Droid Sans Fallback"))})
    return ["DejaVu Sans", *cjk[:3]]
