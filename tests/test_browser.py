"""The class page and a student page in a real browser: headless Chromium (Debian's
``chromium``), driven over the DevTools protocol (``browser.py``).  Each page must paint
something (a screenshot that is not blank), make no request but for itself and its
inline ``data:`` pictures, log no console error, fit a phone's width, and show a hostile
student's ``<script>`` as text.  Skipped where no Chromium is installed.

``TORCHKATA_SCREENSHOTS=DIR`` keeps the two screenshots there (the README's come from
``TORCHKATA_SCREENSHOTS=docs``)."""

from __future__ import annotations

import io
import math
import os
import random
from pathlib import Path

import pytest
from browser import Chromium, find_chromium

from pytest_torchkata.reports.html import SORT_SCRIPT
from pytest_torchkata.reports.html_class import write_html_reports

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")

HOSTILE = '<img src=x onerror="window.__pwned=2">'  # a name that can be a folder: no slash
SCRIPT = "<script>window.__pwned=1</script>"
KATAS = {"tensors": ("Tensor basics", ["Create a tensor", "Reshape", "Broadcast", "Reduce along a dim"]),
         "training": ("A training loop", ["Zero the gradients", "One SGD step", "Train to a target loss"])}
MISTAKES = {("tensors", 4): ("tensors.sum_over_wrong_dim", "sum(x, dim=?) has shape (3,), expected (4,): you "
                                                        "reduced over dim 0, the rows"),
            ("training", 1): ("training.grad_not_zeroed", "the gradient after two steps is twice the "
                                                          "expected one: zero_grad() was not called"),
            ("tensors", 3): ("tensors.broadcast_wrong_axis", "a + b has shape (4, 4), expected (4, 1)")}


def _class() -> dict:
    rng = random.Random(3)
    reports = {}
    names = ["ada", "grace", "alan", "edsger", "barbara", "donald", "frances", "ken", "radia", "tim",
             "margaret", "john", "katherine", "dennis", HOSTILE]
    for name in names:
        ability = rng.gauss(0, 1)
        katas = []
        for kata, (title, tasks) in KATAS.items():
            out = []
            for number, task_title in enumerate(tasks, start=1):
                ok = rng.random() < 1 / (1 + math.exp(-(ability + 1.2 - 0.4 * number)))
                mistake, message = MISTAKES.get((kata, number), ("", "got 3.0, expected 2.0"))
                if name == HOSTILE:  # a mistake of its own, so its message is the class page's example too
                    ok, message = False, f"{SCRIPT} came back from forward()"
                    mistake = mistake or "training.returned_markup"
                out.append({"id": f"t{number}", "number": number, "title": task_title,
                            "status": "passed" if ok else "failed", "score": 2.0 if ok else 0.0, "max_score": 2.0,
                            "message": "" if ok else message, "hint": "" if ok else "compare the shapes first",
                            "kind": "", "mistake": "" if ok else mistake, "checks": [],
                            "data": {"loss_history": [2.3 * math.exp(-i / 9) + 0.05 * rng.random()
                                                      for i in range(60)]} if number == 3 and kata == "training"
                            else {}})
            score = sum(t["score"] for t in out)
            katas.append({"name": kata, "title": title, "score": score, "max_score": 2.0 * len(out), "tasks": out})
        reports[name] = {"version": 1, "language": "en", "score": sum(k["score"] for k in katas),
                         "max_score": 14.0, "katas": katas, "warnings": []}
    reports["late"] = None
    return reports


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("class")
    write_html_reports(out, _class(), notes={"late": "the archive was refused: it holds a link"})
    return out


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    browser = Chromium(CHROMIUM, tmp_path_factory.mktemp("profile"))
    yield browser
    browser.close()


def _own_requests_only(loaded, url):
    strangers = [u[:80] for u in loaded.requests if u != url and not u.startswith("data:")]
    assert not strangers, f"the page made requests: {strangers}"


def _not_blank(png: bytes) -> None:
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 20, "the screenshot is blank"
    assert len(image.getcolors(1 << 16) or []) > 30, "the screenshot has hardly any shades: nothing rendered"


def _keep(png: bytes, name: str) -> None:
    folder = os.environ.get("TORCHKATA_SCREENSHOTS")
    if folder:
        from PIL import Image

        Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64).save(Path(folder) / name, optimize=True)


@pytest.mark.parametrize("page, shot", [("report.html", "report.png"), ("ada/feedback.html", "feedback.png"),
                                        (f"{HOSTILE}/feedback.html", "")])
def test_the_page_renders_with_no_request_and_no_console_error(pages, chromium, page, shot):
    pytest.importorskip("PIL")
    url = (pages / page).as_uri()
    loaded = chromium.open(url, width=1100, height=1000)
    try:
        png = loaded.screenshot()
        loaded.settle()
        _own_requests_only(loaded, url)
        assert loaded.errors == []
        _not_blank(png)
        if shot:
            _keep(png, shot)
    finally:
        loaded.close()


@pytest.mark.parametrize("page", ["report.html", f"{HOSTILE}/feedback.html", "late/feedback.html"])
def test_the_page_fits_a_phone_and_a_hostile_script_is_only_text(pages, chromium, page):
    url = (pages / page).as_uri()
    loaded = chromium.open(url, width=390, height=800, mobile=True)
    try:
        assert loaded.errors == []
        _own_requests_only(loaded, url)
        # wide tables scroll in their own box; the page itself does not scroll sideways
        assert loaded.evaluate("document.documentElement.scrollWidth") <= 390
        assert loaded.evaluate("typeof window.__pwned") == "undefined"
        assert loaded.evaluate("document.querySelectorAll('img[onerror], [onload]').length") == 0
        scripts = loaded.evaluate("[...document.scripts].map(s => s.textContent)")
        assert all(s == SORT_SCRIPT for s in scripts)
        text = loaded.evaluate("document.body.innerText")
        if page != "late/feedback.html":
            assert SCRIPT in text and HOSTILE in text
        else:
            assert "the archive was refused: it holds a link" in text
    finally:
        loaded.close()


def test_a_click_on_a_header_sorts_the_table_and_the_page_reads_the_same_without(pages, chromium):
    loaded = chromium.open((pages / "report.html").as_uri())
    try:
        column = ("[...document.querySelectorAll('#tasks + .scroll tbody tr')]"
                  ".map(r => parseFloat(r.cells[{}].getAttribute('data-v')))")
        difficulty = column.format(4)
        before = loaded.evaluate(difficulty)
        assert before != sorted(before, reverse=True)  # as written: in curriculum order
        loaded.evaluate("document.querySelectorAll('#tasks + .scroll th')[4].click()")
        assert loaded.evaluate(difficulty) == sorted(before, reverse=True)
        loaded.evaluate("document.querySelectorAll('#tasks + .scroll th')[4].click()")
        assert loaded.evaluate(difficulty) == sorted(before)
        counts = loaded.evaluate("[...document.querySelectorAll('#misconceptions + .scroll tbody tr')]"
                                 ".map(r => parseFloat(r.cells[1].getAttribute('data-v')))")
        assert len(counts) == 4 and counts == sorted(counts, reverse=True)  # most students first, script or not
        assert loaded.errors == []
    finally:
        loaded.close()


def test_the_checks_see_a_request_and_a_console_error_when_a_page_makes_them(tmp_path, chromium):
    """The checks above can fail: a page that fetches a picture and logs an error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://example.invalid/a.png"><script>console.error("boom")</script>')
    loaded = chromium.open(bad.as_uri())
    try:
        assert "http://example.invalid/a.png" in loaded.requests
        assert "boom" in loaded.errors
        with pytest.raises(AssertionError):
            _own_requests_only(loaded, bad.as_uri())
    finally:
        loaded.close()


def test_with_scripts_off_the_class_page_reads_the_same_in_the_order_written(pages, chromium):
    loaded = chromium.open((pages / "report.html").as_uri(), scripts=False)
    try:
        assert loaded.errors == []
        assert loaded.evaluate("document.querySelectorAll('th.sort').length") == 0  # the script did not run
        text = loaded.evaluate("document.body.innerText")
        for words in ("Score distributions", "Misconceptions", "tensors.broadcast_wrong_axis", "reliability (KR-20)"):
            assert words in text
        counts = loaded.evaluate("[...document.querySelectorAll('#misconceptions + .scroll tbody tr')]"
                                 ".map(r => parseFloat(r.cells[1].getAttribute('data-v')))")
        assert counts == sorted(counts, reverse=True)
    finally:
        loaded.close()
