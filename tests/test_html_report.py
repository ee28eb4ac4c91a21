"""The HTML pages (``reports.html*``): what they say, that every text from a submission is
inert, that they need nothing outside themselves, and the learner's own page through
``--kata-report-format html``.  The pages in a real browser: ``test_browser.py``."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser

import mini_kata
import pytest

from pytest_torchkata.reports.html import SORT_SCRIPT
from pytest_torchkata.reports.html_class import class_page, write_html_reports
from pytest_torchkata.reports.html_feedback import feedback_page
from pytest_torchkata.reports.html_items import gather

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"\'&amp;'


def task(number, status, score, max_score=1.0, message="", mistake=None, kind=None, **extra):
    out = {"id": f"t{number}", "number": number, "title": f"Task {number}", "status": status, "score": score,
           "max_score": max_score, "message": message, "hint": "", "checks": [], "data": {}, **extra}
    if mistake is not None:  # reports from before these fields have neither
        out["mistake"] = mistake
    if kind is not None:
        out["kind"] = kind
    return out


def report(tasks, language="en", name="k", title="Kata K"):
    score = sum(t["score"] for t in tasks)
    return {"version": 1, "language": language, "score": score, "max_score": sum(t["max_score"] for t in tasks),
            "katas": [{"name": name, "title": title, "score": score,
                       "max_score": sum(t["max_score"] for t in tasks), "tasks": tasks}], "warnings": []}


def five_students():
    """The hand-worked class of test_itemstats: tasks A, B, C all or nothing, totals 3, 2, 1, 1, 0."""
    rows = {"s0": (1, 1, 1), "s1": (1, 1, 0), "s2": (1, 0, 0), "s3": (0, 1, 0), "s4": (0, 0, 0)}
    return {s: report([task(i + 1, "passed" if v else "failed", float(v)) for i, v in enumerate(row)])
            for s, row in rows.items()}


class Parsed(HTMLParser):
    """Every tag with its attributes, the text, and each script's body."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags, self.text, self.scripts, self._in_script = [], [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def test_the_item_statistics_of_the_class_page_are_the_hand_worked_ones():
    data = gather(five_students())
    a, b, c = data.items
    assert (a.difficulty, a.full, c.difficulty) == (pytest.approx(0.6), pytest.approx(0.6), pytest.approx(0.2))
    assert a.r == pytest.approx(0.6 / 3.36 ** 0.5)
    assert c.d == 1.0 and a.profile == [0, 1, 0, 1, 1]
    assert data.reliability == ("KR-20", pytest.approx(15 / 26))
    assert c.flags == ["too_hard"] and b.flags == []
    page = class_page(five_students())
    assert "KR-20" in page and "0.58" in page and '<span class="flag">hard</span>' in page


def test_misconceptions_are_counted_by_id_not_wording_with_the_quintiles():
    reports = five_students()
    # s3 and s4 (the lowest two) make one mistake, worded with their own values
    reports["s4"]["katas"][0]["tasks"][0].update(mistake="mse.square_of_mean", message="got 4.0, expected 2.0")
    reports["s3"]["katas"][0]["tasks"][0].update(mistake="mse.square_of_mean", message="got 9.0, expected 3.0")
    # another mistake that happens to read the same as one of those
    reports["s2"]["katas"][0]["tasks"][1].update(mistake="mse.no_mean", message="got 4.0, expected 2.0")
    found = {m.id: m for m in gather(reports).misconceptions}
    assert set(found) == {"mse.square_of_mean", "mse.no_mean"}
    square = found["mse.square_of_mean"]
    assert square.students == 2 and square.quintiles == [1, 0, 1, 0, 0]
    assert square.tasks == [("k", 1, "Task 1", 2)] and square.example in ("got 4.0, expected 2.0", "got 9.0, expected 3.0")
    assert [m.id for m in gather(reports).misconceptions][0] == "mse.square_of_mean"  # most students first
    page = class_page(reports)
    assert page.index("mse.square_of_mean") < page.index("mse.no_mean")


def test_a_mistake_on_a_check_counts_once_per_student_and_not_when_it_passed():
    t = task(1, "failed", 0.5, checks=[{"name": "a", "status": "failed", "message": "m1", "mistake": "x.y"},
                                      {"name": "b", "status": "failed", "message": "m2", "mistake": "x.y"},
                                      {"name": "c", "status": "passed", "message": "", "mistake": "x.z"}])
    found = gather({"s": report([t])}).misconceptions
    assert [(m.id, m.students) for m in found] == [("x.y", 1)]


def test_old_reports_without_kind_or_mistake_and_time_outs_by_kind_not_wording():
    reports = {"a": report([task(1, "error", 0.0, message="double: still running after 20 s")]),  # no kind
               "b": report([task(1, "error", 0.0, message="boom", kind="timeout", mistake="")])}
    data = gather(reports)
    assert data.items[0].timeouts == 1 and data.items[0].errors == 2 and data.misconceptions == []
    assert "No named mistake" in class_page(reports)


def test_for_html_leaves_no_tag_entity_quote_or_control_character():
    from pytest_torchkata.reports.encode import for_html

    assert for_html('a"b\'<c>&d') == "a&quot;b&#x27;&lt;c&gt;&amp;d"
    assert for_html("\x1b[2J\u202eevil\ttab\nline") == "\\x1b[2J\\u202eevil    tab\nline"
    assert for_html(2.5) == "2.5"


def test_every_text_from_a_submission_is_inert_on_both_pages():
    hostile = report([task(1, "failed", 0.0, message=EVIL, mistake=EVIL, hint=EVIL,
                           data={"loss_history": [1.0, None, 0.5]}),
                      task(2, "error", 0.0, message=EVIL), task(3, "error", 0.0, message=EVIL)],
                     name=EVIL, title=EVIL)
    hostile["warnings"] = [EVIL]
    hostile["katas"][0]["tasks"][0]["title"] = EVIL
    reports = {EVIL: hostile, "fine": report([task(1, "passed", 1.0)], name=EVIL, title=EVIL), "gone": None}
    pages = [class_page(reports, notes={"gone": EVIL}), feedback_page(EVIL, hostile, note=EVIL),
             feedback_page(None, hostile), feedback_page("gone", None, note=EVIL)]
    for page in pages:
        parsed = Parsed(page)
        assert all(s == SORT_SCRIPT for s in parsed.scripts)  # only our own script, if any
        assert not [(tag, a) for tag, attrs in parsed.tags for a in attrs if a.startswith("on")]
        assert all(attrs.get("src", "").startswith("data:") for tag, attrs in parsed.tags if "src" in attrs)
        assert "<script>window.__pwned=1</script>" in "".join(parsed.text)  # shown as text


def test_the_pages_need_nothing_outside_themselves_and_fit_a_phone(tmp_path):
    reports = five_students()
    write_html_reports(tmp_path, reports)
    for path in [tmp_path / "report.html", *(tmp_path / s / "feedback.html" for s in reports)]:
        page = path.read_text(encoding="utf-8")
        parsed = Parsed(page)
        urls = [v for _, attrs in parsed.tags for k, v in attrs.items() if k in ("src", "href", "action", "data")]
        assert all(u.startswith(("#", "data:")) or re.fullmatch(r"[\w%.-]+/feedback\.html", u) for u in urls), urls
        assert not re.search(r"https?://|url\(", page)
        assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in parsed.tags
        assert "default-src 'none'" in page
        assert path.stat().st_mode & 0o077 == 0  # the instructor's alone, like every class file
    links = [a["href"] for tag, a in Parsed((tmp_path / "report.html").read_text()).tags if tag == "a"]
    assert [h for h in links if not h.startswith("#")] == [f"{s}/feedback.html" for s in reports]


def test_a_student_name_that_is_not_one_folder_gets_no_page_outside_the_output(tmp_path):
    out = tmp_path / "out"
    write_html_reports(out, {"../escaped": report([task(1, "passed", 1.0)]), "ok": None}, notes={"ok": "no file"})
    assert not (tmp_path / "escaped").exists() and (out / "ok" / "feedback.html").is_file()
    assert "no file" in (out / "ok" / "feedback.html").read_text()
    assert "../escaped" in (out / "report.html").read_text()


def test_the_heat_map_is_inline_with_matplotlib_and_said_missing_without(monkeypatch):
    pytest.importorskip("matplotlib")
    assert 'src="data:image/png;base64,' in class_page(five_students())
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)  # as if not installed
    page = class_page(five_students())
    assert "data:image/png" not in page and "matplotlib is not installed" in page


def test_the_pages_are_in_the_grading_language():
    reports = {s: {**r, "language": "zh"} for s, r in five_students().items()}
    page = class_page(reports)
    assert '<html lang="zh-CN">' in page and "常见错误" in page and "信度" in page
    assert '<html lang="en">' in class_page(reports, language="en")
    assert "的反馈" in feedback_page("s0", reports["s0"])


def test_the_student_page_tells_each_unfinished_task_once_and_draws_a_loss_curve():
    same = "SyntaxError: invalid syntax (k.py, line 3)"
    r = report([task(1, "passed", 1.0, data={"loss_history": [2.0, 1.0, None, 0.1]}),
                task(2, "error", 0.0, message=same), task(3, "error", 0.0, message=same),
                task(4, "failed", 0.0, message="got 3, expected 2", hint="look at dim"),
                task(5, "not_started", 0.0)])
    page = feedback_page("ann", r)
    assert page.count(same) == 1 and "Could not run: tasks 2 and 3" in page
    assert "got 3, expected 2" in page and "look at dim" in page and "Not started yet." in page
    assert page.count("<svg") == 1 and "<polyline" in page and "loss during training (4 points shown)" in page


def test_the_learners_own_page_with_kata_report_format_html(pytester):
    mini_kata.setup(pytester, mini_kata.SOLUTION.replace("return a + b", "return a - b"))
    pytester.runpytest("--kata=mini", "--kata-report=report.html", "--kata-report-format=html",
                       "-p", "no:cacheprovider")
    page = (pytester.path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Your torchkata report" in page
    assert "Total: 2 / 3 points" in page and "Task 2: Add two tensors" in page and "use +" in page


def test_grade_and_merge_write_the_pages_with_the_other_class_outputs(tmp_path):
    import json

    from pytest_torchkata.reports.class_outputs import write_class_outputs

    reports = five_students()
    for student, r in reports.items():
        (tmp_path / student).mkdir()
        (tmp_path / student / "report.json").write_text(json.dumps(r))
        row = {"student": student, "total": r["score"], "max_total": r["max_score"], "katas": {"k": r["score"]},
               "errors": 0, "timeouts": 0, "refused": False, "problem": "", "note": "", "seconds": 1.0,
               "peak_mib": 1}
        (tmp_path / student / "grade.json").write_text(json.dumps({"row": row}))
    write_class_outputs(tmp_path, [*reports, "absent"])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "5 graded students; 1 not graded" in page and "KR-20" in page
    assert all((tmp_path / s / "feedback.html").is_file() for s in [*reports, "absent"])
    assert "grade.json is missing" in (tmp_path / "absent" / "feedback.html").read_text(encoding="utf-8")


def test_no_student_folder_takes_the_class_pages_name():
    from pytest_torchkata.cli.submissions import unique_names
    from pytest_torchkata.reports.classbook import CLASS_FILES

    assert "report.html" not in unique_names(["report.html", "ann"], CLASS_FILES)
